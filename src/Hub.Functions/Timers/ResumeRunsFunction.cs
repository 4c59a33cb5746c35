using IntegrationHub.Core.Runs;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Timers;

/// <summary>
/// <c>ResumeRuns</c> (NCRONTAB in app setting <c>Timers__ResumeRuns</c>, default every 15 s): advances every
/// run that is due — waiting for a job or a retry, rate limited, or left behind by an instance that
/// stopped — from its last checkpoint. Goes when runs become Durable Functions orchestrations.
/// </summary>
public sealed class ResumeRunsFunction(RunEngine engine, ILogger<ResumeRunsFunction> logger)
{
    /// <summary>The timer function.</summary>
    [Function("ResumeRuns")]
    public async Task RunAsync([TimerTrigger("%Timers:ResumeRuns%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var advanced = await engine.ResumeDueAsync(cancellationToken);
        Logs.RunsResumed(logger, advanced);
    }
}
