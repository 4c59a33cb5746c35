using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Connectors.Http;

/// <summary>
/// The SSRF guard. It runs as <see cref="SocketsHttpHandler.ConnectCallback"/>, so it checks the address a
/// connection is really opened to — after DNS resolution, for every connection, redirects included — and
/// connects to exactly the address it checked (no second lookup a rebinding DNS server could answer differently).
/// Refused: the ranges below (RFC 6890 special-purpose registries), this machine's own interface addresses, and any
/// IPv6 address whose embedded IPv4 address (<see cref="EmbeddedIPv4"/>) is one of those.
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

    private static readonly IPNetwork Ipv4Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork Ipv4Translated = IPNetwork.Parse("::ffff:0:0:0/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork Teredo = IPNetwork.Parse("2001::/32");
    private static readonly IPNetwork Nat64WellKnown = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork Nat64LocalUse = IPNetwork.Parse("64:ff9b:1::/48");

    /// <summary>
    /// The range <paramref name="address"/> falls in when it is not a public address, else <see langword="null"/>.
    /// An IPv6 address that embeds an IPv4 address is judged by the IPv4 address it reaches (see <see cref="EmbeddedIPv4"/>).
    /// </summary>
    public static string? RestrictedRange(IPAddress address) => RestrictedRange(address, []);

    /// <summary>
    /// As <see cref="RestrictedRange(IPAddress)"/>, and also <c>"this host"</c> when <paramref name="address"/> (or the IPv4
    /// address it embeds) is one of <paramref name="ownAddresses"/>, this machine's interface addresses: a public address
    /// of the host itself reaches services bound to it just as loopback does.
    /// </summary>
    public static string? RestrictedRange(IPAddress address, IReadOnlyCollection<IPAddress> ownAddresses)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(ownAddresses);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // Link-local and site-local addresses carry a scope id that makes them unequal to the same bytes without one.
            address = new IPAddress(address.GetAddressBytes());
        }

        if (Range(address) is { } range)
        {
            return range;
        }

        foreach (var embedded in EmbeddedIPv4(address))
        {
            if (Range(embedded) is { } embeddedRange)
            {
                return embeddedRange;
            }

            if (ownAddresses.Contains(embedded))
            {
                return "this host";
            }
        }

        return ownAddresses.Contains(address) ? "this host" : null;
    }

    /// <summary>
    /// The IPv4 addresses an IPv6 address embeds, none for others (an IPv4 address gives none either):
    /// IPv4-mapped <c>::ffff:a.b.c.d</c> (RFC 4291 §2.5.5.2); IPv4-compatible <c>::a.b.c.d</c> (deprecated, RFC 4291 §2.5.5.1);
    /// IPv4-translated <c>::ffff:0:a.b.c.d</c> (RFC 2765 §2.1); 6to4 <c>2002:AABB:CCDD::/48</c> (RFC 3056 §2, bits 16–47);
    /// Teredo <c>2001:0:SSSS:SSSS:flags:port:CCCC:CCCC</c> (RFC 4380 §4: the server address in bits 32–63, the client
    /// address obfuscated, XOR 0xFFFFFFFF, in bits 96–127; both are returned); NAT64 <c>64:ff9b::/96</c> (RFC 6052 §2.1,
    /// last 32 bits) and the local-use prefix <c>64:ff9b:1::/48</c> (RFC 8215), whose operator picks the prefix length, so
    /// every RFC 6052 §2.2 position a prefix inside it allows (/48, /56, /64, /96) is returned.
    /// </summary>
    public static IEnumerable<IPAddress> EmbeddedIPv4(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            yield break;
        }

        var b = address.GetAddressBytes();
        if (address.IsIPv4MappedToIPv6)
        {
            yield return address.MapToIPv4();
        }
        else if (Ipv4Compatible.Contains(address) || Ipv4Translated.Contains(address) || Nat64WellKnown.Contains(address))
        {
            yield return new IPAddress(b.AsSpan(12, 4));
        }
        else if (SixToFour.Contains(address))
        {
            yield return new IPAddress(b.AsSpan(2, 4));
        }
        else if (Teredo.Contains(address))
        {
            yield return new IPAddress(b.AsSpan(4, 4));
            yield return new IPAddress([(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]]);
        }
        else if (Nat64LocalUse.Contains(address))
        {
            // RFC 6052 §2.2: bits 64–71 (byte 8) are zero, so the IPv4 bytes skip it. The zero bytes of one layout read as
            // 0.x.x.x in another: those candidates count only when every layout gives one.
            IPAddress[] candidates =
            [
                new(b.AsSpan(12, 4)),                 // /96
                new(b.AsSpan(9, 4)),                  // /64
                new([b[7], b[9], b[10], b[11]]),      // /56
                new([b[6], b[7], b[9], b[10]]),       // /48
            ];
            var meaningful = candidates.Where(c => c.GetAddressBytes()[0] != 0).ToList();
            foreach (var candidate in meaningful.Count > 0 ? meaningful : [candidates[0]])
            {
                yield return candidate;
            }
        }
    }

    /// <summary>This machine's unicast interface addresses (<see cref="NetworkInterface.GetAllNetworkInterfaces"/>), read at each connect so a new address counts at once.</summary>
    public static IReadOnlyCollection<IPAddress> OwnAddresses()
    {
        var own = new HashSet<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    var address = unicast.Address;
                    own.Add(address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes()) : address);
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Without the list the static ranges still apply.
        }

        return own;
    }

    private static string? Range(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
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
        var own = exempt ? [] : OwnAddresses();
        foreach (var address in addresses)
        {
            if (!exempt && RestrictedRange(address, own) is { } range)
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
