using IntegrationHub.Core.Runs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace IntegrationHub.Functions.Orchestrations;

/// <summary>
/// The <c>[Function]</c> wrappers of the run orchestrator and its activities, written by hand (the Durable Task
/// source generator is not available here): one line each, named as the class's <see cref="DurableTaskAttribute"/>.
/// </summary>
public sealed class RunFunctions(IRunSteps steps)
{
    /// <summary>The <see cref="RunOrchestrator"/>.</summary>
    [Function(RunOrchestrator.Name)]
    public static Task<RunStatus> RunOrchestratorAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RunOrchestrator().RunAsync(context, context.GetInput<RunInput>()!);

    /// <summary>The <see cref="BeginRunActivity"/>.</summary>
    [Function(BeginRunActivity.Name)]
    public Task<RunPlan> BeginRunAsync([ActivityTrigger] RunRef input, FunctionContext context) => new BeginRunActivity(steps).RunAsync(input, context.CancellationToken);

    /// <summary>The <see cref="SyncPageActivity"/>.</summary>
    [Function(SyncPageActivity.Name)]
    public Task<StepResult> SyncPageAsync([ActivityTrigger] StepCall input, FunctionContext context) => new SyncPageActivity(steps).RunAsync(input, context.CancellationToken);

    /// <summary>The <see cref="RunStepActivity"/>.</summary>
    [Function(RunStepActivity.Name)]
    public Task<StepResult> RunStepAsync([ActivityTrigger] StepCall input, FunctionContext context) => new RunStepActivity(steps).RunAsync(input, context.CancellationToken);

    /// <summary>The <see cref="CancelRunActivity"/>.</summary>
    [Function(CancelRunActivity.Name)]
    public Task<bool> CancelRunAsync([ActivityTrigger] RunRef input, FunctionContext context) => new CancelRunActivity(steps).RunAsync(input, context.CancellationToken);

    /// <summary>The <see cref="FinishRunActivity"/>.</summary>
    [Function(FinishRunActivity.Name)]
    public Task<bool> FinishRunAsync([ActivityTrigger] RunEnd input, FunctionContext context) => new FinishRunActivity(steps).RunAsync(input, context.CancellationToken);
}
