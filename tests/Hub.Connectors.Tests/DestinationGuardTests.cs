using System.Net;
using IntegrationHub.Connectors.Http;
using IntegrationHub.Connectors.Rest;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Connectors.Tests;

/// <summary>The SSRF guard with default settings: nothing private is reachable, whatever the URL says or redirects to.</summary>
public sealed class DestinationGuardTests
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "link-local")]
    [InlineData("http://127.0.0.1:9/admin", "loopback")]
    [InlineData("http://localhost:9/admin", "loopback")]
    [InlineData("http://10.1.2.3/internal", "private")]
    [InlineData("http://192.168.0.10/router", "private")]
    [InlineData("http://[::1]:9/", "loopback")]
    [InlineData("http://[::ffff:169.254.169.254]/", "link-local")]
    [InlineData("http://0.0.0.0:9/", "unspecified")]
    public async Task A_url_to_a_private_destination_is_refused_before_connecting(string url, string range)
    {
        await using var hub = Harness.Create(allowLoopback: false);
        var context = hub.Context(new { url });

        var error = await Assert.ThrowsAsync<DestinationRefusedException>(() => Harness.ReadAsync(hub.Connector(RestConnector.ConnectorId), context, RestConnector.RecordsStream));

        Assert.Equal("rest", error.ConnectorId);
        Assert.Equal(range, error.Range);
        Assert.Equal(ConnectorErrorKind.DestinationRefused, error.Kind);
        Assert.True(error.IsPermanent);
        Assert.Contains("refused to connect", error.Message, StringComparison.Ordinal);
        Assert.Contains("Connectors__Network__AllowedHosts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_a_private_destination_is_refused()
    {
        await using var api = new RestDouble();
        await api.StartAsync();
        api.AddItem("secret", DateTimeOffset.UnixEpoch);

        // Only the double's own address is allowed; the redirect's target resolves to loopback under another name.
        await using var hub = Harness.Create(allowLoopback: true);
        var target = $"http://localhost:{api.BaseAddress.Port}/offset/items";
        var context = hub.Context(new { url = $"{api.BaseAddress}redirect?to={Uri.EscapeDataString(target)}" });

        var error = await Assert.ThrowsAsync<DestinationRefusedException>(() => Harness.ReadAsync(hub.Connector(RestConnector.ConnectorId), context, RestConnector.RecordsStream));

        Assert.Equal("localhost", error.Host);
        Assert.Equal("loopback", error.Range);
        Assert.Single(api.RequestsTo("/redirect"));
        Assert.Empty(api.RequestsTo("/offset/items"));
    }

    [Fact]
    public async Task A_redirect_to_the_metadata_address_is_refused()
    {
        await using var api = new RestDouble();
        await api.StartAsync();
        await using var hub = Harness.Create(allowLoopback: true);
        var context = hub.Context(new { url = $"{api.BaseAddress}redirect?to={Uri.EscapeDataString("http://169.254.169.254/latest/meta-data/")}" });

        var error = await Assert.ThrowsAsync<DestinationRefusedException>(() => Harness.ReadAsync(hub.Connector(RestConnector.ConnectorId), context, RestConnector.RecordsStream));

        Assert.Equal("169.254.169.254", error.Address);
    }

    [Fact]
    public async Task A_refusal_is_not_retried()
    {
        await using var hub = Harness.Create(allowLoopback: false);
        var context = hub.Context(new { url = "http://127.0.0.1:9/" });

        await Assert.ThrowsAsync<DestinationRefusedException>(() => Harness.ReadAsync(hub.Connector(RestConnector.ConnectorId), context, RestConnector.RecordsStream));

        Assert.Empty(hub.Observer.Waits);
    }

    [Theory]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("127.0.0.53", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.5.4", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "shared (carrier-grade NAT)")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd12:3456::1", "private (unique local)")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")]
    [InlineData("224.0.0.1", "multicast")]
    public void Restricted_ranges_are_recognised(string address, string range) =>
        Assert.Equal(range, DestinationGuard.RestrictedRange(IPAddress.Parse(address)));

    /// <summary>Issue 13, fault 9: every IPv6 form that embeds an IPv4 address is judged by that address.</summary>
    [Theory]
    [InlineData("::127.0.0.1", "loopback")]                 // IPv4-compatible (RFC 4291 §2.5.5.1), as reported
    [InlineData("::10.1.2.3", "private")]
    [InlineData("::ffff:127.0.0.1", "loopback")]            // IPv4-mapped (RFC 4291 §2.5.5.2)
    [InlineData("::ffff:0:127.0.0.1", "loopback")]          // IPv4-translated (RFC 2765), as reported
    [InlineData("::ffff:0:169.254.169.254", "link-local")]
    [InlineData("2002:7f00:1::", "loopback")]               // 6to4 (RFC 3056) of 127.0.0.1
    [InlineData("2002:a9fe:a9fe::1", "link-local")]         // 6to4 of 169.254.169.254
    [InlineData("2002:c0a8:0101:5::1", "private")]          // 6to4 of 192.168.1.1
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback")] // Teredo (RFC 4380), client 127.0.0.1 obfuscated
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private")]  // Teredo, client 10.0.0.1 obfuscated
    [InlineData("2001:0:a00:1:8000:63bf:f7f7:f7f7", "private")]      // Teredo, server 10.0.0.1, client 8.8.8.8
    [InlineData("64:ff9b::7f00:1", "loopback")]             // NAT64 well-known prefix (RFC 6052)
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")]
    [InlineData("64:ff9b:1::7f00:1", "loopback")]           // NAT64 local-use /48 (RFC 8215) used as a /96
    [InlineData("64:ff9b:1:0:7f:0:100:0", "loopback")]      // ... as a /64: IPv4 in bytes 9-12 after the zero u-octet
    [InlineData("64:ff9b:1:a00:0:100::", "private")]        // ... as a /48: bytes 6-7 and 9-10 (10.0.0.1)
    public void Ipv6_forms_embedding_an_ipv4_address_are_judged_by_it(string address, string range) =>
        Assert.Equal(range, DestinationGuard.RestrictedRange(IPAddress.Parse(address)));

    [Theory]
    [InlineData("::8.8.8.8")]
    [InlineData("::ffff:0:8.8.8.8")]
    [InlineData("2002:808:808::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("64:ff9b:1::808:808")]
    public void Ipv6_forms_embedding_a_public_ipv4_address_pass(string address) =>
        Assert.Null(DestinationGuard.RestrictedRange(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://[::127.0.0.1]:9/", "loopback")]
    [InlineData("http://[::ffff:0:127.0.0.1]:9/", "loopback")]
    [InlineData("http://[2002:7f00:1::]:9/", "loopback")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/", "link-local")]
    public async Task Urls_with_embedded_private_ipv4_addresses_are_refused_before_connecting(string url, string range)
    {
        await using var hub = Harness.Create(allowLoopback: false);

        var error = await Assert.ThrowsAsync<DestinationRefusedException>(() => Harness.ReadAsync(hub.Connector(RestConnector.ConnectorId), hub.Context(new { url }), RestConnector.RecordsStream));

        Assert.Equal(range, error.Range);
    }

    [Theory]
    [InlineData("8.8.4.4", "8.8.4.4")]
    [InlineData("8.8.4.4", "::ffff:8.8.4.4")]
    [InlineData("8.8.4.4", "2002:808:404::1")]
    [InlineData("2606:4700::1", "2606:4700::1")]
    public void This_hosts_own_addresses_are_refused(string own, string address) =>
        Assert.Equal("this host", DestinationGuard.RestrictedRange(IPAddress.Parse(address), [IPAddress.Parse(own)]));

    [Fact]
    public void Every_interface_address_of_this_machine_is_refused()
    {
        var own = DestinationGuard.OwnAddresses();

        Assert.NotEmpty(own);
        Assert.All(own, a => Assert.NotNull(DestinationGuard.RestrictedRange(a, own)));
    }

    [Fact]
    public async Task A_url_to_a_public_address_of_this_machine_is_refused()
    {
        // This machine's eth0 holds an address outside every static range (192.0.2.2 here): before the fix it passed.
        var own = DestinationGuard.OwnAddresses()
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && DestinationGuard.RestrictedRange(a) is null);
        if (own is null)
        {
            return; // every interface address here is in a static range already; the table test above covers the rule
        }

        await using var hub = Harness.Create(allowLoopback: false);
        var error = await Assert.ThrowsAsync<DestinationRefusedException>(() => Harness.ReadAsync(hub.Connector(RestConnector.ConnectorId), hub.Context(new { url = $"http://{own}:9/" }), RestConnector.RecordsStream));

        Assert.Equal("this host", error.Range);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("140.82.112.3")]
    [InlineData("2606:4700::6810:84e5")]
    public void Public_addresses_pass(string address) =>
        Assert.Null(DestinationGuard.RestrictedRange(IPAddress.Parse(address)));
}
