using System.Net;
using System.Text.Json;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Functions.Tests.Functions;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_reports_cosmos_reachable_and_the_hub_healthy()
    {
        await using var hub = await HubHost.StartAsync();

        using var response = await hub.Client.GetAsync(new Uri("api/health", UriKind.Relative));

        Assert.True(HttpStatusCode.OK == response.StatusCode, await response.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("standalone", body.RootElement.GetProperty("mode").GetString());
        Assert.Equal("reachable", body.RootElement.GetProperty("dependencies").GetProperty("cosmos").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Health_reports_a_stopped_emulator_as_unreachable_and_the_hub_unhealthy()
    {
        await using var emulator = await CosmosEmulator.StartAsync();
        await using var hub = await HubHost.StartAsync(emulator: emulator);
        using (var before = await hub.Client.GetAsync(new Uri("api/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await emulator.StopAsync();
        using var response = await hub.Client.GetAsync(new Uri("api/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
        var cosmos = body.RootElement.GetProperty("dependencies").GetProperty("cosmos");
        Assert.Equal("unreachable", cosmos.GetProperty("status").GetString());
        Assert.Contains($"127.0.0.1:{emulator.Port}", cosmos.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(CosmosEmulator.Key, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
