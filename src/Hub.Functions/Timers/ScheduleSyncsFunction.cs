using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace IntegrationHub.Functions.Timers;

/// <summary>
/// <c>ScheduleSyncs</c> (NCRONTAB in app setting <c>Timers__ScheduleSyncs</c>, default every minute):
/// starts the latest due schedule slot of every enabled integration, once (run ids are deterministic per
/// integration and slot, and the orchestration's instance id is the run id, so a slot fired twice starts one run).
/// </summary>
public sealed class ScheduleSyncsFunction(SyncScheduler scheduler, IRunSteps steps, ILogger<ScheduleSyncsFunction> logger)
{
    /// <summary>The timer function.</summary>
    [Function("ScheduleSyncs")]
    public async Task RunAsync([TimerTrigger("%Timers:ScheduleSyncs%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var started = await scheduler.StartDueAsync(cancellationToken);
        foreach (var run in started)
        {
            await RunOrchestrations.EnsureStartedAsync(client, steps, run, cancellationToken, justCreated: true); // StartDueAsync returns only the runs it created
        }

        Logs.ScheduledRunsStarted(logger, started.Count);
    }
}
