using IntegrationHub.TestDoubles.Pulsar;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Functions.Tests.Infrastructure;

/// <summary>
/// One Functions host per test collection (a host takes seconds to start and a few hundred MB): the classes of a
/// collection share it and keep apart by tenant. The doubles the host's settings point at start first.
/// </summary>
public abstract class HubFixture : IAsyncLifetime
{
    public HubHost Hub { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await StartDoublesAsync();
        Hub = await HubHost.StartAsync(Settings());
    }

    public async Task DisposeAsync()
    {
        if (Hub is not null)
        {
            await Hub.DisposeAsync();
        }

        await StopDoublesAsync();
    }

    protected abstract IDictionary<string, string?> Settings();

    protected virtual Task StartDoublesAsync() => Task.CompletedTask;

    protected virtual Task StopDoublesAsync() => Task.CompletedTask;
}

/// <summary>The API collection's host: the GitHub double (knowing <see cref="Token"/>) reachable on loopback, no retries; timers never fire.</summary>
public sealed class ApiHubFixture : HubFixture
{
    public const string Token = "ghp_S3cretTokenValue0123456789abcd";

    public GitHubDouble GitHub { get; } = new(token: Token);

    protected override Task StartDoublesAsync() => GitHub.StartAsync();

    protected override async Task StopDoublesAsync() => await GitHub.DisposeAsync();

    protected override IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        // The GitHub double listens on loopback, which the SSRF guard refuses unless allowed.
        ["Connectors:Network:AllowedHosts:0"] = "127.0.0.1",
        ["Connectors:Resilience:MaxRetries"] = "0",
    };
}

[CollectionDefinition(Name)]
public sealed class ApiHub : ICollectionFixture<ApiHubFixture>
{
    public const string Name = "api hub";
}

/// <summary>The runs collection's host: runs are Durable Functions orchestrations on the test run's Azurite, in a task hub of this host's own.</summary>
public sealed class RunsHubFixture : HubFixture
{
    public GitHubDouble GitHub { get; } = new();

    protected override Task StartDoublesAsync() => GitHub.StartAsync();

    protected override async Task StopDoublesAsync() => await GitHub.DisposeAsync();

    protected override IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Connectors:Network:AllowPrivateNetworks"] = "true",
    };
}

[CollectionDefinition(Name)]
public sealed class RunsHub : ICollectionFixture<RunsHubFixture>
{
    public const string Name = "runs hub";
}

/// <summary>The Pulsar collection's host: events and commands go through the Pulsar WebSocket double.</summary>
public sealed class PulsarHubFixture : HubFixture
{
    public PulsarWebSocketDouble Pulsar { get; } = new();

    public GitHubDouble GitHub { get; } = new();

    protected override async Task StartDoublesAsync()
    {
        await Pulsar.StartAsync();
        await GitHub.StartAsync();
    }

    protected override async Task StopDoublesAsync()
    {
        await GitHub.DisposeAsync();
        await Pulsar.DisposeAsync();
    }

    protected override IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Pulsar:ServiceUrl"] = Pulsar.ServiceUrl,
        ["Pulsar:ReconnectInitialDelay"] = "00:00:00.020",
        ["Pulsar:ReconnectMaxDelay"] = "00:00:00.200",
        ["Pulsar:SendTimeout"] = "00:00:05",
        ["Pulsar:MaxSendAttempts"] = "3",
        ["Pulsar:MaxCommandAttempts"] = "2",
        ["Pulsar:CommandsRetryDelay"] = "00:00:00.020",
        ["Pulsar:CommandsIdleWait"] = "00:00:00.500",
        ["Runs:RetryBaseDelay"] = "00:00:01",
        ["Connectors:Network:AllowPrivateNetworks"] = "true",
    };
}

[CollectionDefinition(Name)]
public sealed class PulsarHub : ICollectionFixture<PulsarHubFixture>
{
    public const string Name = "pulsar hub";
}
