using System.Net;
using System.Text.Json;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Functions.Tests.Functions;

[Collection(ApiHub.Name)]
public sealed class HealthTests(ApiHubFixture fixture)
{
    [Fact]
    public async Task Health_reports_cosmos_reachable_and_the_hub_healthy_without_a_key()
    {
        using var response = await fixture.Hub.Client.GetAsync(new Uri("api/health", UriKind.Relative));

        Assert.True(HttpStatusCode.OK == response.StatusCode, await response.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("version").GetString()));
        Assert.Equal("reachable", body.RootElement.GetProperty("dependencies").GetProperty("cosmos").GetProperty("status").GetString());
    }
}

/// <summary>A host on an emulator of its own, which the test stops.</summary>
public sealed class HealthWithoutCosmosTests : IAsyncLifetime
{
    private CosmosEmulator _emulator = null!;
    private HubHost _hub = null!;

    public async Task InitializeAsync()
    {
        _emulator = await CosmosEmulator.StartAsync();
        _hub = await HubHost.StartAsync(emulator: _emulator);
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task Health_reports_a_stopped_emulator_as_unreachable_and_the_hub_unhealthy()
    {
        using (var before = await _hub.Client.GetAsync(new Uri("api/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await _emulator.StopAsync();
        using var response = await _hub.Client.GetAsync(new Uri("api/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
        var cosmos = body.RootElement.GetProperty("dependencies").GetProperty("cosmos");
        Assert.Equal("unreachable", cosmos.GetProperty("status").GetString());
        Assert.Contains($"127.0.0.1:{_emulator.Port}", cosmos.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(CosmosEmulator.Key, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_probe_timer_fired_through_the_host_logs_the_outage_when_it_starts()
    {
        await _emulator.StopAsync();

        await _hub.FireTimerAsync("ProbeDependencies");

        // The host ran the timer function in the worker, which found Cosmos DB gone and said so in the log: a warning,
        // so it shows although the timer's routine lines are below the default level.
        await Eventually.TrueAsync(() => _hub.Logs.Lines.Any(l => l.Contains("Dependency cosmos is Unreachable", StringComparison.OrdinalIgnoreCase)), "the outage in the log", TimeSpan.FromSeconds(60));
    }
}
