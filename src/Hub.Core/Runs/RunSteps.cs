using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs.Steps;
using IntegrationHub.Core.Transforms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Core.Runs;

/// <summary>Names a run (its orchestration's instance id is <paramref name="RunId"/>).</summary>
/// <param name="TenantId">The tenant (the run document's partition).</param>
/// <param name="RunId">The run id, also the orchestration instance id.</param>
public sealed record RunRef(string TenantId, string RunId);

/// <summary>The run orchestration's input.</summary>
/// <param name="TenantId">The tenant (the run document's partition).</param>
/// <param name="RunId">The run id, also the orchestration instance id.</param>
/// <param name="Plan">
/// The plan, when the starter built it from the new run's document (<see cref="IRunSteps.PlanOf"/>): the orchestration
/// then goes straight to the first unit, whose activity call marks the run running (one activity less per run). Null
/// (an orchestration started before plans were passed, or a continued-as-new generation): the <c>BeginRun</c>
/// activity builds it from the run document's current step.
/// </param>
public sealed record RunInput(string TenantId, string RunId, RunPlan? Plan = null)
{
    /// <summary>The run this input names.</summary>
    public RunRef Run => new(TenantId, RunId);
}

/// <summary>One unit of a run's plan: a streaming segment (<c>read</c> … <c>publish</c>, advanced page by page) or a single step.</summary>
/// <param name="First">Index of the first step in the run's definition.</param>
/// <param name="Last">Index of the last step (the segment's publish; equal to <paramref name="First"/> for a single step).</param>
/// <param name="Segment">True for a streaming segment.</param>
public sealed record PlannedStep(int First, int Last, bool Segment);

/// <summary>What is left of a run, from its document's current step.</summary>
/// <param name="Ended">The run has already ended (or does not exist): nothing to do.</param>
/// <param name="Steps">The units still to run, in order.</param>
/// <param name="Deadline">After this the run fails (<c>Runs__Deadline</c> after creation).</param>
/// <param name="PagesPerGeneration">Segment activity calls before the orchestration continues as new (<c>Runs__PagesPerGeneration</c>).</param>
public sealed record RunPlan(bool Ended, IReadOnlyList<PlannedStep> Steps, DateTimeOffset Deadline, int PagesPerGeneration);

/// <summary>What an activity call of a run came to, as the orchestrator needs it.</summary>
public enum StepResultKind
{
    /// <summary>A page was committed; call the segment again.</summary>
    Advanced,

    /// <summary>The unit is done; go to the next.</summary>
    Completed,

    /// <summary>Wait <see cref="StepResult.DelaySeconds"/> on a durable timer (job poll, rate limit, integration busy), then call again.</summary>
    Wait,

    /// <summary>A transient failure: wait the backoff in <see cref="StepResult.DelaySeconds"/>, then call again.</summary>
    Retry,

    /// <summary>Failed for good (permanent failure, or attempts used up); <see cref="StepResult.Error"/> says why.</summary>
    Failed,

    /// <summary>The run was asked to stop.</summary>
    Cancelled,

    /// <summary>
    /// The run has ended and there is nothing left to do: it had ended before this call (a repeated start of an ended
    /// run, or an answer lost after its end was recorded), or this call completed the plan's last unit and recorded the
    /// run's success itself (<see cref="StepCall.EndsRun"/>).
    /// </summary>
    Ended,
}

/// <summary>The result of one activity call on a run.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="DelaySeconds">For <see cref="StepResultKind.Wait"/> and <see cref="StepResultKind.Retry"/>: seconds to wait on a durable timer.</param>
/// <param name="Error">Why it waits or failed (the external system's reason where there is one).</param>
public sealed record StepResult(StepResultKind Kind, double DelaySeconds = 0, string? Error = null);

/// <summary>A run's end, as the orchestrator records it.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="RunId">The run.</param>
/// <param name="Status">Succeeded, failed or cancelled.</param>
/// <param name="Error">Why it failed, if it did.</param>
public sealed record RunEnd(string TenantId, string RunId, RunStatus Status, string? Error);

/// <summary>A call on one unit of a run's plan.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="RunId">The run.</param>
/// <param name="First">The unit's first step index.</param>
/// <param name="Last">The unit's last step index.</param>
/// <param name="EndsRun">
/// The unit is the plan's last: when it completes, the call records the run's success (what <c>FinishRun</c> does) and
/// answers <see cref="StepResultKind.Ended"/>, saving the orchestration its <c>FinishRun</c> activity. False (also in
/// calls scheduled before this existed): it answers <see cref="StepResultKind.Completed"/> and the orchestration finishes the run.
/// </param>
public sealed record StepCall(string TenantId, string RunId, int First, int Last, bool EndsRun = false);

/// <summary>
/// The work of a run's activities: everything that touches Cosmos DB, connectors, sinks and job engines. The
/// orchestrator decides only order, waits and ends; these write the run document (the API's read model).
/// </summary>
/// <remarks>
/// Each method may run more than once for one orchestration step (activities run at least once: Durable Functions
/// docs, "Durable orchestrations — reliability"), so each is idempotent: a page is republished from the outbox with
/// the same event and sequence ids, a job start is found again by its idempotency key or name, an end is recorded once.
/// </remarks>
public interface IRunSteps
{
    /// <summary>Marks the run running and returns what is left of it.</summary>
    Task<RunPlan> BeginAsync(RunRef run, CancellationToken cancellationToken);

    /// <summary>What is left of <paramref name="run"/> as its document stands (no I/O): the units from its current step on.</summary>
    RunPlan PlanOf(Run run);

    /// <summary>
    /// Advances a streaming segment by one page. Like <see cref="RunStepAsync"/>, the first call of a run marks it
    /// running; a call on an ended run answers <see cref="StepResultKind.Ended"/>, and one on a unit the run has
    /// already completed (a retried call whose answer was lost) answers as that unit's completion without running it again.
    /// </summary>
    Task<StepResult> SyncPageAsync(StepCall call, CancellationToken cancellationToken);

    /// <summary>Runs (or polls) a single step: a job step's start or status poll, or a transform of the previous output.</summary>
    Task<StepResult> RunStepAsync(StepCall call, CancellationToken cancellationToken);

    /// <summary>Cancels the external job of the current step, if any, and ends the run cancelled.</summary>
    Task CancelAsync(RunRef run, CancellationToken cancellationToken);

    /// <summary>Records the run's end (once): status, times, the integration's last run; frees the integration and the outbox.</summary>
    Task FinishAsync(RunEnd end, CancellationToken cancellationToken);
}

/// <summary>The hub's <see cref="IRunSteps"/>, over the run, integration and outbox stores and the step types.</summary>
public sealed class RunSteps(
    RunStore runs,
    IntegrationStore integrations,
    StepTypeRegistry stepTypes,
    IServiceProvider services,
    RunMetrics metrics,
    RunEndSignals endSignals,
    IOptions<RunsOptions> options,
    TimeProvider time,
    ILogger<RunSteps> logger) : IRunSteps
{
    private readonly SyncSegment _segments = ActivatorUtilities.CreateInstance<SyncSegment>(services);

    /// <inheritdoc />
    public async Task<RunPlan> BeginAsync(RunRef run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var now = time.GetUtcNow();
        var current = await runs.UpdateAsync(run.TenantId, run.RunId, r => MarkStarted(r, now), cancellationToken);
        return current is null || current.IsTerminal ? new RunPlan(true, [], now, options.Value.PagesPerGeneration) : PlanOf(current);
    }

    /// <inheritdoc />
    public RunPlan PlanOf(Run run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var plan = new List<PlannedStep>();
        for (var i = run.CurrentStep; i < run.Definition.Count; i++)
        {
            var last = stepTypes.Find(run.Definition[i].Type)?.Role == StepRole.Source ? stepTypes.SegmentEnd(run.Definition, i) : -1;
            plan.Add(last > i ? new PlannedStep(i, last, true) : new PlannedStep(i, i, false));
            i = Math.Max(i, last);
        }

        return new RunPlan(run.IsTerminal, run.IsTerminal ? [] : plan, run.Deadline, options.Value.PagesPerGeneration);
    }

    // A pending run becomes running at its first activity call (the same object when there is nothing to change, so no write).
    private static Run MarkStarted(Run r, DateTimeOffset now) =>
        r.IsTerminal || (r.Status != RunStatus.Pending && r.StartedAt is not null) ? r : r with { Status = r.Status == RunStatus.Pending ? RunStatus.Running : r.Status, StartedAt = r.StartedAt ?? now };

    /// <inheritdoc />
    /// <remarks>Syncs up to <c>Runs__PagesPerActivity</c> pages, stopping at the first that does not advance (or a cancel request).</remarks>
    public async Task<StepResult> SyncPageAsync(StepCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var result = new StepResult(StepResultKind.Cancelled);
        for (var page = 0; page < options.Value.PagesPerActivity; page++)
        {
            var (run, stop) = await StartStepAsync(call, cancellationToken);
            if (run is null)
            {
                // Cancelled or ended: after a page of this call, the orchestration sees its cancel event (or this answer) on the next call.
                return page == 0 ? stop! : result;
            }

            StepOutcome outcome;
            try
            {
                outcome = await _segments.RunPageAsync(run, call.First, call.Last, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or Microsoft.Azure.Cosmos.CosmosException or Shared.Cosmos.ConcurrencyConflictException)
            {
                outcome = new StepOutcome.Retry(e.Message);
            }

            result = await ApplyAsync(call, outcome, cancellationToken);
            if (result.Kind != StepResultKind.Advanced)
            {
                return result;
            }
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<StepResult> RunStepAsync(StepCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var (run, stop) = await StartStepAsync(call, cancellationToken);
        if (run is null)
        {
            return stop!;
        }

        var step = run.Definition[call.First];
        StepOutcome outcome;
        try
        {
            outcome = stepTypes.Find(step.Type) switch
            {
                { Role: StepRole.Record } => TransformOutput(run, step),
                IJobStepType job => await job.ExecuteAsync(new JobStepContext(run, step, run.Steps[call.First], Input(run, step)), cancellationToken),
                _ => new StepOutcome.Fail($"Step type '{step.Type}' cannot run here."),
            };
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or Microsoft.Azure.Cosmos.CosmosException)
        {
            outcome = new StepOutcome.Retry(e.Message);
        }

        return await ApplyAsync(call, outcome, cancellationToken);
    }

    /// <inheritdoc />
    public async Task CancelAsync(RunRef run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (await runs.GetAsync(run.TenantId, run.RunId, cancellationToken) is not { IsTerminal: false } current)
        {
            return;
        }

        if (current.CurrentStep < current.Definition.Count && stepTypes.Job(current.Definition[current.CurrentStep].Type) is { } job)
        {
            var step = current.Definition[current.CurrentStep];
            await job.CancelAsync(new JobStepContext(current, step, current.Steps[current.CurrentStep], Input(current, step)), cancellationToken);
        }

        await FinishAsync(new RunEnd(run.TenantId, run.RunId, RunStatus.Cancelled, "Cancelled on request."), cancellationToken);
    }

    /// <inheritdoc />
    public Task FinishAsync(RunEnd end, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(end);
        return EndAsync(end, null, cancellationToken);
    }

    // Records the run's end once, with lastChange (the last unit's completion) in the same write when given.
    private async Task EndAsync(RunEnd end, Func<Run, Run>? lastChange, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(end.TenantId, end.RunId, cancellationToken) is not { IsTerminal: false } current)
        {
            return; // recorded by an earlier attempt
        }

        await _segments.ReleaseAsync(current, end.Status, cancellationToken);
        var now = time.GetUtcNow();

        // At the version just read (one request, no second read), unless the run was written meanwhile (a cancel
        // request, the segment's last progress): then read, apply and write again.
        var done = await runs.UpdateAsync(
            current,
            r => r.IsTerminal ? r : Ended(lastChange?.Invoke(r) ?? r, end, now),
            cancellationToken);
        if (done is null)
        {
            return;
        }

        endSignals.Ended(done.Id); // requests of this process waiting for the end answer now
        var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(done.Status.ToString());
        metrics.Ended.Add(1, new KeyValuePair<string, object?>("status", name));
        Logs.RunEnded(logger, done.Id, name, done.Progress.RecordsPublished);
        await RecordOnIntegrationAsync(done, cancellationToken);
    }

    private static Run Ended(Run r, RunEnd end, DateTimeOffset now) => r with
    {
        Status = end.Status,
        Error = end.Error,
        CompletedAt = now,
        Steps = r.Steps.Select(s => s.Status is StepStatus.Pending or StepStatus.Running or StepStatus.Waiting
            ? s with { Status = end.Status == RunStatus.Succeeded ? StepStatus.Succeeded : StepStatus.Skipped }
            : s).ToList(),
    };

    // Marks the run (at its first call) and the unit's first step running; no run, with the answer, when the run has
    // ended, a cancel was requested, or the unit was completed by an earlier attempt whose answer was lost.
    private async Task<(Run? Run, StepResult? Stop)> StartStepAsync(StepCall call, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var run = await runs.UpdateAsync(
            call.TenantId,
            call.RunId,
            r =>
            {
                if (r.IsTerminal || r.CancelRequested || r.CurrentStep > call.Last)
                {
                    return r;
                }

                var started = MarkStarted(r, now);
                return started.Steps[call.First].Status == StepStatus.Running
                    ? started
                    : started with { Steps = Range(started.Steps, call.First, call.First, s => s with { Status = StepStatus.Running, StartedAt = s.StartedAt ?? now }) };
            },
            cancellationToken);
        if (run is null || run.IsTerminal)
        {
            return (null, new StepResult(StepResultKind.Ended));
        }

        if (run.CancelRequested)
        {
            return (null, new StepResult(StepResultKind.Cancelled));
        }

        if (run.CurrentStep > call.Last)
        {
            if (!call.EndsRun)
            {
                return (null, new StepResult(StepResultKind.Completed));
            }

            await EndAsync(new RunEnd(call.TenantId, call.RunId, RunStatus.Succeeded, null), null, cancellationToken);
            return (null, new StepResult(StepResultKind.Ended));
        }

        return (run, null);
    }

    // Records an outcome on the run document and tells the orchestrator what to do next.
    private async Task<StepResult> ApplyAsync(StepCall call, StepOutcome outcome, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (outcome)
        {
            case StepOutcome.Advanced:
                return new StepResult(StepResultKind.Advanced);

            case StepOutcome.Completed completed:
                Run Complete(Run r) => r with
                {
                    Status = RunStatus.Running,
                    CurrentStep = Math.Max(r.CurrentStep, call.Last + 1),
                    LastProgressAt = now,
                    Error = null,
                    Steps = Range(r.Steps, call.First, call.Last, s => s with { Status = StepStatus.Succeeded, CompletedAt = now, Output = completed.Output, Error = null }),
                };

                if (call.EndsRun)
                {
                    // The plan's last unit: the unit's completion and the run's end in one write, no FinishRun activity.
                    await EndAsync(new RunEnd(call.TenantId, call.RunId, RunStatus.Succeeded, null), Complete, cancellationToken);
                    return new StepResult(StepResultKind.Ended);
                }

                await runs.UpdateAsync(call.TenantId, call.RunId, Complete, cancellationToken);
                return new StepResult(StepResultKind.Completed);

            case StepOutcome.Wait wait:
                Logs.RunWaiting(logger, call.RunId, wait.Until, wait.Reason);
                await runs.UpdateAsync(
                    call.TenantId,
                    call.RunId,
                    r => r with
                    {
                        Status = wait.RateLimited ? RunStatus.RateLimited : RunStatus.Waiting,
                        DueAt = wait.Until,
                        LastProgressAt = now, // a job still running, or an API's pause, is alive
                        Error = wait.Reason,
                        Steps = Range(r.Steps, call.First, call.First, s => s with { Status = StepStatus.Waiting, Checkpoint = wait.Checkpoint ?? s.Checkpoint }),
                    },
                    cancellationToken);
                return new StepResult(StepResultKind.Wait, Math.Max(0, (wait.Until - now).TotalSeconds), wait.Reason);

            case StepOutcome.Retry retry:
                var run = await runs.GetAsync(call.TenantId, call.RunId, cancellationToken);
                var attempts = (run?.Steps[call.First].Attempts ?? 0) + 1;
                var name = run?.Definition[call.First].Name ?? call.First.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Logs.StepFailed(logger, call.RunId, name, attempts, retry.Error);
                metrics.StepRetries.Add(1, new KeyValuePair<string, object?>("type", run?.Definition[call.First].Type));
                if (attempts >= options.Value.MaxStepAttempts)
                {
                    await runs.UpdateAsync(call.TenantId, call.RunId, r => r with { Steps = Range(r.Steps, call.First, call.First, s => s with { Attempts = attempts, Status = StepStatus.Failed, Error = retry.Error }) }, cancellationToken);
                    return new StepResult(StepResultKind.Failed, 0, $"Step '{name}' failed {attempts} times: {retry.Error}");
                }

                var backoff = Backoff(attempts);
                await runs.UpdateAsync(
                    call.TenantId,
                    call.RunId,
                    r => r with
                    {
                        Status = RunStatus.Waiting,
                        DueAt = now + backoff,
                        Error = retry.Error,
                        Steps = Range(r.Steps, call.First, call.First, s => s with { Attempts = attempts, Status = StepStatus.Waiting, Error = retry.Error }),
                    },
                    cancellationToken);
                return new StepResult(StepResultKind.Retry, backoff.TotalSeconds, retry.Error);

            case StepOutcome.Fail fail:
                await runs.UpdateAsync(call.TenantId, call.RunId, r => r with { Steps = Range(r.Steps, call.First, call.First, s => s with { Status = StepStatus.Failed, Error = fail.Error, CompletedAt = now }) }, cancellationToken);
                return new StepResult(StepResultKind.Failed, 0, fail.Error);

            default:
                return new StepResult(StepResultKind.Cancelled);
        }
    }

    private async Task RecordOnIntegrationAsync(Run run, CancellationToken cancellationToken)
    {
        if (run.IntegrationId is null || await integrations.GetAsync(run.TenantId, run.IntegrationId, cancellationToken) is not { } integration)
        {
            return;
        }

        var summary = new LastRunSummary(run.Id, JsonNamingPolicy.SnakeCaseLower.ConvertName(run.Status.ToString()), run.CompletedAt, run.Progress.RecordsPublished, run.Error);
        try
        {
            await integrations.ReplaceAsync(integration with { LastRun = summary, Status = !integration.Enabled ? "disabled" : run.Status == RunStatus.Failed ? "error" : "active" }, cancellationToken);
        }
        catch (Shared.Cosmos.ConcurrencyConflictException)
        {
            // Edited at this very moment; the run document keeps the summary regardless.
        }
    }

    private static StepOutcome TransformOutput(Run run, Flows.FlowStep step)
    {
        var previous = Input(run, step) ?? JsonSerializer.SerializeToElement(new { });
        return RecordMapping.TryCompile(step.Mapping!.Value, "mapping", out var mapping, out _)
            ? new StepOutcome.Completed(JsonSerializer.SerializeToElement(mapping!.Apply(previous)))
            : new StepOutcome.Fail($"The mapping of step '{step.Name}' is invalid.");
    }

    // The previous completed step's output, through the step's input mapping when it has one.
    private static JsonElement? Input(Run run, Flows.FlowStep step)
    {
        var previous = run.CurrentStep > 0 ? run.Steps[run.CurrentStep - 1].Output : null;
        if (step.Input is { } input && previous is { } value && RecordMapping.TryCompile(input, "input", out var mapping, out _))
        {
            return JsonSerializer.SerializeToElement(mapping!.Apply(value));
        }

        return previous;
    }

    private TimeSpan Backoff(int attempt)
    {
        var baseDelay = options.Value.RetryBaseDelay.TotalSeconds * Math.Pow(2, attempt - 1);
        var jittered = baseDelay * (0.8 + (0.4 * Random.Shared.NextDouble()));
        return TimeSpan.FromSeconds(Math.Min(jittered, options.Value.RetryMaxDelay.TotalSeconds));
    }

    private static List<StepState> Range(IReadOnlyList<StepState> steps, int first, int last, Func<StepState, StepState> change) =>
        steps.Select((s, i) => i >= first && i <= last ? change(s) : s).ToList();
}
