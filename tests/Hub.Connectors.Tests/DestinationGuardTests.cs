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

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("140.82.112.3")]
    [InlineData("2606:4700::6810:84e5")]
    public void Public_addresses_pass(string address) =>
        Assert.Null(DestinationGuard.RestrictedRange(IPAddress.Parse(address)));
}
