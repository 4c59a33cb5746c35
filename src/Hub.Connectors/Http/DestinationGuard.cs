using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Connectors.Http;

/// <summary>
/// The SSRF guard. It runs as <see cref="SocketsHttpHandler.ConnectCallback"/>, so it checks the address a
/// connection is really opened to — after DNS resolution, for every connection, redirects included — and
/// connects to exactly the address it checked (no second lookup a rebinding DNS server could answer differently).
/// </summary>
public sealed class DestinationGuard(IOptionsMonitor<ConnectorOptions> options)
{
    private static readonly (IPNetwork Network, string Range)[] Restricted =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared (carrier-grade NAT)"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local"),
        (IPNetwork.Parse("fc00::/7"), "private (unique local)"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    /// <summary>The range <paramref name="address"/> falls in when it is not a public address, else <see langword="null"/>.</summary>
    public static string? RestrictedRange(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && Nat64.Contains(address))
        {
            // NAT64 embeds an IPv4 address in the last 32 bits; judge the address it reaches.
            var bytes = address.GetAddressBytes();
            address = new IPAddress(bytes.AsSpan(12, 4));
        }

        foreach (var (network, range) in Restricted)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return range;
            }
        }

        return null;
    }

    /// <summary>Opens the connection for <paramref name="context"/> to a checked address.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var network = options.CurrentValue.Network;
        var exempt = network.AllowPrivateNetworks || network.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase);
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);

        RefusedDestinationException? refused = null;
        SocketException? failed = null;
        foreach (var address in addresses)
        {
            if (!exempt && RestrictedRange(address) is { } range)
            {
                refused ??= new RefusedDestinationException(host, address.ToString(), range);
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failed = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw failed ?? (Exception?)refused ?? new SocketException((int)SocketError.HostNotFound);
    }
}

/// <summary>Thrown inside the connect callback; <see cref="ConnectorHttp"/> turns it into a <see cref="DestinationRefusedException"/> naming the connector.</summary>
internal sealed class RefusedDestinationException(string host, string address, string range)
    : IOException($"refused to connect to {host} ({address}): {range} address")
{
    public string Host { get; } = host;

    public string Address { get; } = address;

    public string Range { get; } = range;
}
