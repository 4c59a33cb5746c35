using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using IntegrationHub.Shared.Diagnostics;

namespace IntegrationHub.Shared.Cosmos;

/// <summary>
/// Creates the database and containers at start-up when <see cref="CosmosOptions.CreateIfMissing"/> is on.
/// </summary>
/// <remarks>
/// An unreachable account does not stop the process: the hub comes up, <c>/api/health</c> reports Cosmos
/// unreachable, and creation is retried with backoff until it succeeds. A misconfigured account (bad
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

        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await cosmos.EnsureCreatedAsync(stoppingToken);
                Logs.CosmosReady(logger, cosmos.Options.Database, cosmos.Definitions.Count);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Logs.CosmosNotReady(logger, cosmos.Options.Endpoint, delay.TotalSeconds, e.Message);
                await Task.Delay(delay, time, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
            }
        }
    }
}
