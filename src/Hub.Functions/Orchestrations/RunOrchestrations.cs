using Grpc.Core;
using IntegrationHub.Core.Runs;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace IntegrationHub.Functions.Orchestrations;

/// <summary>Starting, cancelling and checking run orchestrations through a <see cref="DurableTaskClient"/> (a <c>[DurableClient]</c> binding).</summary>
public static class RunOrchestrations
{
    /// <summary>
    /// Starts the orchestration of <paramref name="run"/> with instance id = run id, unless one exists: a repeated
    /// start, a schedule slot fired twice, or a repair of a run whose starter died after creating its document never
    /// makes a second instance. An ended run is not started again. The input carries the run's plan
    /// (<see cref="IRunSteps.PlanOf"/>), so the orchestration needs no <c>BeginRun</c> activity.
    /// </summary>
    /// <param name="client">The Durable client of the invocation.</param>
    /// <param name="steps">Where the run's plan comes from.</param>
    /// <param name="run">The run as stored.</param>
    /// <param name="justCreated">
    /// True when this caller has just created <paramref name="run"/>'s document (its create succeeded, so no orchestration
    /// can have ended under its id): the instance lookup before the start is skipped, one gRPC call and one
    /// Instances-table query fewer per started run. The start itself still refuses an instance that exists under the id:
    /// a pending or running one (the Durable extension's default <c>overridableExistingInstanceStates</c>,
    /// <c>NonRunningStates</c>) and, asked for by <see cref="AnyExisting"/>, an ended one.
    /// </param>
    /// <param name="cancellationToken">The invocation's cancellation.</param>
    public static async Task EnsureStartedAsync(DurableTaskClient client, IRunSteps steps, Run run, CancellationToken cancellationToken, bool justCreated = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(run);
        if (run.IsTerminal || (!justCreated && await client.GetInstanceAsync(run.Id, getInputsAndOutputs: false, cancellationToken) is not null))
        {
            return;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                RunOrchestrator.Name,
                new RunInput(run.TenantId, run.Id, steps.PlanOf(run)),
                new StartOrchestrationOptions(run.Id).WithDedupeStatuses(AnyExisting),
                cancellationToken);
        }
        catch (DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException)
        {
            // Started before (or at the same moment) by another caller: the extension refused the second instance.
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.AlreadyExists or StatusCode.FailedPrecondition)
        {
            // Started at the same moment by another caller.
        }
        catch (InvalidOperationException)
        {
            // Same, as the in-memory backend reports it.
        }
    }

    /// <summary>
    /// Every runtime status: a start with the run id is refused whatever state an instance under that id is in (an ended
    /// run is never started again), also when the instance appeared after <see cref="EnsureStartedAsync"/> looked.
    /// </summary>
    public static readonly OrchestrationRuntimeStatus[] AnyExisting = Enum.GetValues<OrchestrationRuntimeStatus>();

    /// <summary>Raises the <see cref="RunOrchestrator.CancelEvent"/> on the run's orchestration (a no-op when it has ended).</summary>
    public static async Task RaiseCancelAsync(DurableTaskClient client, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            await client.RaiseEventAsync(runId, RunOrchestrator.CancelEvent, "requested", cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition)
        {
            // Not started yet or already ended: the run document's cancel flag covers it.
        }
    }

    /// <summary>
    /// The run as the API shows it: a document that says it is still going is checked against its orchestration, so a
    /// run whose orchestration failed or was terminated never shows as running (it shows <c>failed</c> with the
    /// orchestration's reason), and a run with no progress for <see cref="RunsOptions.StallAfter"/> shows
    /// <c>stalled</c>.
    /// </summary>
    public static async Task<Run> ReadModelAsync(DurableTaskClient client, Run run, RunsOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(options);
        if (run.IsTerminal)
        {
            return run;
        }

        var instance = await client.GetInstanceAsync(run.Id, getInputsAndOutputs: true, cancellationToken);
        if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated })
        {
            var reason = instance.RuntimeStatus == OrchestrationRuntimeStatus.Terminated
                ? "The run's orchestration was terminated."
                : $"The run's orchestration failed: {instance.FailureDetails?.ErrorMessage ?? "no reason given"}";
            return run with { Status = RunStatus.Failed, Error = reason, CompletedAt = instance.LastUpdatedAt };
        }

        if (now - run.LastProgressAt > options.StallAfter)
        {
            return run with { Status = RunStatus.Stalled, Error = run.Error ?? $"No progress since {run.LastProgressAt:u}." };
        }

        return run;
    }
}
