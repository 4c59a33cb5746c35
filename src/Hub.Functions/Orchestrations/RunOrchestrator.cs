using IntegrationHub.Core.Runs;
using Microsoft.DurableTask;

namespace IntegrationHub.Functions.Orchestrations;

/// <summary>
/// Every run — a manual or scheduled sync of an integration, and every flow run — as one Durable Functions
/// orchestration whose instance id is the run id. It runs the plan's units in order: a streaming segment one
/// <see cref="SyncPageActivity"/> per page, any other step with <see cref="RunStepActivity"/>; waits (a job's next
/// poll, a rate limit's <c>Retry-After</c>, a retry backoff) are durable timers; a <c>cancel</c> event (raised by
/// <c>POST /api/v1/runs/{id}/cancel</c>) ends it at once through <see cref="CancelRunActivity"/>, which also cancels
/// the external job. Output: the run's final status.
/// </summary>
/// <remarks>
/// <para>Deterministic (Durable Functions docs, "Orchestrator function code constraints"): no I/O, time from
/// <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/>, every decision from activity results.</para>
/// <para>Fixed cost per run: a run started with its plan in the input (<see cref="RunInput.Plan"/>) has no
/// <c>BeginRun</c> activity (its first unit's call marks it running and answers <see cref="StepResultKind.Ended"/> when
/// it had ended before), and the plan's last unit is called with <see cref="StepCall.EndsRun"/>, so a run that
/// succeeds has no <c>FinishRun</c> activity either: a one-segment sync is one orchestration start and one activity.
/// <c>FinishRun</c> stays for failures and the deadline, <c>StopRun</c> for cancels, <c>BeginRun</c> for inputs without
/// a plan (continued-as-new generations, orchestrations started before plans were passed).</para>
/// <para>After <see cref="RunPlan.PagesPerGeneration"/> segment activity calls (each syncs <c>Runs__PagesPerActivity</c> pages) it continues as new (docs, "Eternal orchestrations"),
/// so the history stays a few hundred events however many pages a sync has; the plan is rebuilt from the run
/// document's current step, and a cancel event that arrived meanwhile is kept for the new generation.</para>
/// <para>An activity that throws (Cosmos DB unreachable, a bug) is retried by Durable with backoff
/// (<see cref="ActivityRetry"/>); when it keeps throwing the run fails with its message.</para>
/// </remarks>
[DurableTask(Name)]
public sealed class RunOrchestrator : TaskOrchestrator<RunInput, RunStatus>
{
    /// <summary>The orchestrator's function name.</summary>
    public const string Name = "RunOrchestrator";

    /// <summary>The external event that cancels a run (its payload is ignored).</summary>
    public const string CancelEvent = "cancel";

    /// <summary>Retries of an activity that threw: 5 attempts, 5 s doubling to at most 2 min.</summary>
    public static readonly TaskOptions ActivityRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(5), 2.0, TimeSpan.FromMinutes(2)));

    /// <inheritdoc />
    public override async Task<RunStatus> RunAsync(TaskOrchestrationContext context, RunInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var run = input.Run;
        var cancel = context.WaitForExternalEvent<string>(CancelEvent);
        try
        {
            var plan = input.Plan ?? await context.CallActivityAsync<RunPlan>(BeginRunActivity.Name, run, ActivityRetry);
            if (plan.Ended)
            {
                return RunStatus.Succeeded; // ended before (a repeated start, or a replayed schedule slot): nothing to do
            }

            var pages = 0;
            for (var u = 0; u < plan.Steps.Count; u++)
            {
                var unit = plan.Steps[u];
                var call = new StepCall(run.TenantId, run.RunId, unit.First, unit.Last, EndsRun: u == plan.Steps.Count - 1);
                while (true)
                {
                    if (cancel.IsCompleted)
                    {
                        return await CancelAsync(context, run);
                    }

                    if (context.CurrentUtcDateTime > plan.Deadline.UtcDateTime)
                    {
                        return await FinishAsync(context, run, RunStatus.Failed, $"The run passed its deadline ({plan.Deadline:u}).");
                    }

                    var result = await context.CallActivityAsync<StepResult>(unit.Segment ? SyncPageActivity.Name : RunStepActivity.Name, call, ActivityRetry);
                    switch (result.Kind)
                    {
                        case StepResultKind.Advanced:
                            if (++pages >= plan.PagesPerGeneration)
                            {
                                context.ContinueAsNew(new RunInput(run.TenantId, run.RunId), preserveUnprocessedEvents: true); // the next generation's plan from the run document
                                return RunStatus.Running;
                            }

                            continue;

                        case StepResultKind.Completed:
                            break;

                        case StepResultKind.Ended:
                            return RunStatus.Succeeded; // the last unit recorded the run's success, or the run had ended before: nothing to do

                        case StepResultKind.Wait or StepResultKind.Retry:
                            if (!await DelayAsync(context, cancel, result.DelaySeconds))
                            {
                                return await CancelAsync(context, run);
                            }

                            continue;

                        case StepResultKind.Failed:
                            return await FinishAsync(context, run, RunStatus.Failed, result.Error);

                        default:
                            return await CancelAsync(context, run);
                    }

                    break;
                }
            }

            return await FinishAsync(context, run, RunStatus.Succeeded, null); // a last unit called without EndsRun answered Completed
        }
        catch (TaskFailedException e)
        {
            // An activity kept throwing after its retries: the run fails with why, if the end can still be recorded.
            return await FinishAsync(context, run, RunStatus.Failed, $"The run stopped: {e.FailureDetails.ErrorMessage}");
        }
    }

    // A durable timer, cut short by the cancel event; false when cancelled.
    // The timer is cancelled with Cancel(), never CancelAsync(): CancelAsync runs the timer's cancellation callback on the
    // thread pool and resumes this method there, outside the orchestration's scheduler, after the episode had already
    // collected what the orchestrator scheduled (the SDK allows orchestrator calls on its own thread only: "Orchestrator
    // function code constraints"). The StopRun call after it was never scheduled, nothing was left to wake the
    // orchestration, and every replay lost it again: a run cancelled while it waited on its timer (a job between polls, a
    // rate limit, a backoff) stayed waiting for ever. Cancelling the timer synchronously keeps the orchestrator on its thread.
    private static async Task<bool> DelayAsync(TaskOrchestrationContext context, Task<string> cancel, double seconds)
    {
        using var stop = new CancellationTokenSource();
        var timer = context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(Math.Max(1, seconds)), stop.Token);
        if (await Task.WhenAny(timer, cancel) == cancel)
        {
            stop.Cancel();
            return false;
        }

        return true;
    }

    private static async Task<RunStatus> CancelAsync(TaskOrchestrationContext context, RunRef input)
    {
        await context.CallActivityAsync<bool>(CancelRunActivity.Name, input, ActivityRetry);
        return RunStatus.Cancelled;
    }

    private static async Task<RunStatus> FinishAsync(TaskOrchestrationContext context, RunRef input, RunStatus status, string? error)
    {
        await context.CallActivityAsync<bool>(FinishRunActivity.Name, new RunEnd(input.TenantId, input.RunId, status, error), ActivityRetry);
        return status;
    }
}
