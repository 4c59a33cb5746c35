using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Hosting.CustomHandler;

namespace IntegrationHub.Functions.Functions.ResumeRuns;

/// <summary>
/// The <c>ResumeRuns</c> timer (every 15 s): advances every run that is due — waiting for a job or a
/// retry, rate limited, or left behind by an instance that stopped — from its last checkpoint.
/// </summary>
internal sealed class ResumeRunsFunction(RunEngine engine) : ITimerFunction
{
    public string Name => "ResumeRuns";

    public async Task RunAsync(TimerContext context, CancellationToken cancellationToken)
    {
        var advanced = await engine.ResumeDueAsync(cancellationToken);
        context.Log($"advanced {advanced} run(s)");
    }
}
