using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Hosting.CustomHandler;

namespace IntegrationHub.Functions.Functions.ScheduleSyncs;

/// <summary>The <c>ScheduleSyncs</c> timer (every minute): starts the due schedule slot of every enabled integration, once.</summary>
internal sealed class ScheduleSyncsFunction(SyncScheduler scheduler, RunKicker kicker) : ITimerFunction
{
    public string Name => "ScheduleSyncs";

    public async Task RunAsync(TimerContext context, CancellationToken cancellationToken)
    {
        var started = await scheduler.StartDueAsync(cancellationToken);
        foreach (var run in started)
        {
            kicker.Kick(run.TenantId, run.Id);
        }

        context.Log($"started {started.Count} scheduled run(s)");
    }
}
