using IntegrationHub.Core.Runs;
using Microsoft.DurableTask;

namespace IntegrationHub.Functions.Orchestrations;

/// <summary><c>BeginRun</c>: marks the run running and returns what is left of it (<see cref="IRunSteps.BeginAsync"/>).</summary>
[DurableTask(Name)]
public sealed class BeginRunActivity(IRunSteps steps) : TaskActivity<RunRef, RunPlan>
{
    /// <summary>The activity's function name.</summary>
    public const string Name = "BeginRun";

    /// <inheritdoc />
    public override Task<RunPlan> RunAsync(TaskActivityContext context, RunRef input) => RunAsync(input, CancellationToken.None);

    /// <summary>The activity's body, for its <c>[Function]</c> wrapper.</summary>
    public Task<RunPlan> RunAsync(RunRef input, CancellationToken cancellationToken) => steps.BeginAsync(input, cancellationToken);
}

/// <summary><c>SyncPage</c>: one page of a streaming segment, exactly once into the sink (<see cref="IRunSteps.SyncPageAsync"/>).</summary>
[DurableTask(Name)]
public sealed class SyncPageActivity(IRunSteps steps) : TaskActivity<StepCall, StepResult>
{
    /// <summary>The activity's function name.</summary>
    public const string Name = "SyncPage";

    /// <inheritdoc />
    public override Task<StepResult> RunAsync(TaskActivityContext context, StepCall input) => RunAsync(input, CancellationToken.None);

    /// <summary>The activity's body, for its <c>[Function]</c> wrapper.</summary>
    public Task<StepResult> RunAsync(StepCall input, CancellationToken cancellationToken) => steps.SyncPageAsync(input, cancellationToken);
}

/// <summary><c>RunStep</c>: a job step's idempotent start or one status poll, or a transform (<see cref="IRunSteps.RunStepAsync"/>).</summary>
[DurableTask(Name)]
public sealed class RunStepActivity(IRunSteps steps) : TaskActivity<StepCall, StepResult>
{
    /// <summary>The activity's function name.</summary>
    public const string Name = "RunStep";

    /// <inheritdoc />
    public override Task<StepResult> RunAsync(TaskActivityContext context, StepCall input) => RunAsync(input, CancellationToken.None);

    /// <summary>The activity's body, for its <c>[Function]</c> wrapper.</summary>
    public Task<StepResult> RunAsync(StepCall input, CancellationToken cancellationToken) => steps.RunStepAsync(input, cancellationToken);
}

/// <summary><c>StopRun</c>: cancels the current step's external job and ends the run cancelled (<see cref="IRunSteps.CancelAsync"/>).</summary>
[DurableTask(Name)]
public sealed class CancelRunActivity(IRunSteps steps) : TaskActivity<RunRef, bool>
{
    /// <summary>The activity's function name.</summary>
    public const string Name = "StopRun";

    /// <inheritdoc />
    public override Task<bool> RunAsync(TaskActivityContext context, RunRef input) => RunAsync(input, CancellationToken.None);

    /// <summary>The activity's body, for its <c>[Function]</c> wrapper.</summary>
    public async Task<bool> RunAsync(RunRef input, CancellationToken cancellationToken)
    {
        await steps.CancelAsync(input, cancellationToken);
        return true;
    }
}

/// <summary><c>FinishRun</c>: records the run's end once (<see cref="IRunSteps.FinishAsync"/>).</summary>
[DurableTask(Name)]
public sealed class FinishRunActivity(IRunSteps steps) : TaskActivity<RunEnd, bool>
{
    /// <summary>The activity's function name.</summary>
    public const string Name = "FinishRun";

    /// <inheritdoc />
    public override Task<bool> RunAsync(TaskActivityContext context, RunEnd input) => RunAsync(input, CancellationToken.None);

    /// <summary>The activity's body, for its <c>[Function]</c> wrapper.</summary>
    public async Task<bool> RunAsync(RunEnd input, CancellationToken cancellationToken)
    {
        await steps.FinishAsync(input, cancellationToken);
        return true;
    }
}
