using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using IntegrationHub.Shared.Diagnostics;
using IntegrationHub.Shared.Resilience.Backoff;

namespace IntegrationHub.Shared.Cosmos;

/// <summary>
/// Creates the database and containers at start-up when <see cref="CosmosOptions.CreateIfMissing"/> is on.
/// </summary>
/// <remarks>
/// An unreachable account does not stop the process: the hub comes up, <c>/api/health</c> reports Cosmos
/// unreachable, and creation is retried with the hub's backoff (<see cref="BackoffOptions"/>: 1 s doubling to 30 s) until it succeeds. A misconfigured account (bad
/// settings) is caught earlier, by options validation.
/// </remarks>
internal sealed class CosmosInitializer(HubCosmos cosmos, ILogger<CosmosInitializer> logger, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!cosmos.Options.CreateIfMissing)
        {
            return;
        }

        // Until it succeeds or the host stops: 1 s, 2 s, 4 s, ... at most 30 s apart.
        var creation = new BackoffOptions
        {
            FirstDelay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(30),
            MaxRetries = int.MaxValue,
            OnRetry = retry =>
            {
                Logs.CosmosNotReady(logger, cosmos.Options.Endpoint, retry.Delay.TotalSeconds, retry.Failure.Message);
                return ValueTask.CompletedTask;
            },
        }.Build(time);
        try
        {
            await creation.ExecuteAsync(async ct => await cosmos.EnsureCreatedAsync(ct), stoppingToken);
            Logs.CosmosReady(logger, cosmos.Options.Database, cosmos.Definitions.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }
}
