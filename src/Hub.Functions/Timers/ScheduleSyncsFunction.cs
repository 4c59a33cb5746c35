using IntegrationHub.Core.Runs;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Timers;

/// <summary>
/// <c>ScheduleSyncs</c> (NCRONTAB in app setting <c>Timers__ScheduleSyncs</c>, default every minute):
/// starts the latest due schedule slot of every enabled integration, once (run ids are deterministic per
/// integration and slot, so a slot fired twice starts one run).
/// </summary>
public sealed class ScheduleSyncsFunction(SyncScheduler scheduler, RunKicker kicker, ILogger<ScheduleSyncsFunction> logger)
{
    /// <summary>The timer function.</summary>
    [Function("ScheduleSyncs")]
    public async Task RunAsync([TimerTrigger("%Timers:ScheduleSyncs%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var started = await scheduler.StartDueAsync(cancellationToken);
        foreach (var run in started)
        {
            kicker.Kick(run.TenantId, run.Id);
        }

        Logs.ScheduledRunsStarted(logger, started.Count);
    }
}
