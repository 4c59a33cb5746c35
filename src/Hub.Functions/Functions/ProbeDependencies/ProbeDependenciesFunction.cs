using IntegrationHub.Functions.Hosting.CustomHandler;
using IntegrationHub.Shared.Diagnostics;

namespace IntegrationHub.Functions.Functions.ProbeDependencies;

/// <summary>
/// The <c>ProbeDependencies</c> timer (every 30 s): checks every dependency so the
/// <c>hub_dependency_up</c> gauge stays current and an outage is logged when it starts, not when a
/// user first trips over it.
/// </summary>
internal sealed class ProbeDependenciesFunction(DependencyMonitor monitor) : ITimerFunction
{
    public string Name => "ProbeDependencies";

    public async Task RunAsync(TimerContext context, CancellationToken cancellationToken)
    {
        var states = await monitor.CheckAsync(cancellationToken);
        foreach (var (name, state) in states)
        {
            context.Log($"{name}: {state.Status}");
        }
    }
}
