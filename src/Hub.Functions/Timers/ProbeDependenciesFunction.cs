using IntegrationHub.Shared.Diagnostics;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Timers;

/// <summary>
/// <c>ProbeDependencies</c> (NCRONTAB in app setting <c>Timers__ProbeDependencies</c>, default every 30 s):
/// checks every dependency so the <c>hub_dependency_up</c> gauge stays current and an outage is logged
/// when it starts (by <see cref="DependencyMonitor"/>), not when a user first trips over it.
/// </summary>
public sealed class ProbeDependenciesFunction(DependencyMonitor monitor)
{
    /// <summary>The timer function.</summary>
    [Function("ProbeDependencies")]
    public async Task RunAsync([TimerTrigger("%Timers:ProbeDependencies%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await monitor.CheckAsync(cancellationToken);
}
