using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs.Steps;
using IntegrationHub.Core.Transforms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Core.Runs;

/// <summary>Names a run: the orchestration's input (its instance id is <paramref name="RunId"/>).</summary>
/// <param name="TenantId">The tenant (the run document's partition).</param>
/// <param name="RunId">The run id, also the orchestration instance id.</param>
public sealed record RunRef(string TenantId, string RunId);

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
public sealed record StepCall(string TenantId, string RunId, int First, int Last);

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

    /// <summary>Advances a streaming segment by one page.</summary>
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
        var current = await runs.UpdateAsync(
            run.TenantId,
            run.RunId,
            r => r.IsTerminal ? r : r with { Status = r.Status == RunStatus.Pending ? RunStatus.Running : r.Status, StartedAt = r.StartedAt ?? now },
            cancellationToken);
        if (current is null || current.IsTerminal)
        {
            return new RunPlan(true, [], now, options.Value.PagesPerGeneration);
        }

        var plan = new List<PlannedStep>();
        for (var i = current.CurrentStep; i < current.Definition.Count; i++)
        {
            var last = stepTypes.Find(current.Definition[i].Type)?.Role == StepRole.Source ? stepTypes.SegmentEnd(current.Definition, i) : -1;
            plan.Add(last > i ? new PlannedStep(i, last, true) : new PlannedStep(i, i, false));
            i = Math.Max(i, last);
        }

        return new RunPlan(false, plan, current.Deadline, options.Value.PagesPerGeneration);
    }

    /// <inheritdoc />
    /// <remarks>Syncs up to <c>Runs__PagesPerActivity</c> pages, stopping at the first that does not advance (or a cancel request).</remarks>
    public async Task<StepResult> SyncPageAsync(StepCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var result = new StepResult(StepResultKind.Cancelled);
        for (var page = 0; page < options.Value.PagesPerActivity; page++)
        {
            if (await StartStepAsync(call, cancellationToken) is not { } run)
            {
                // Cancelled: after a page of this call, the orchestration sees its cancel event (or this answer) on the next call.
                return page == 0 ? new StepResult(StepResultKind.Cancelled) : result;
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
        if (await StartStepAsync(call, cancellationToken) is not { } run)
        {
            return new StepResult(StepResultKind.Cancelled);
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
    public async Task FinishAsync(RunEnd end, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(end);
        if (await runs.GetAsync(end.TenantId, end.RunId, cancellationToken) is not { IsTerminal: false } current)
        {
            return; // recorded by an earlier attempt
        }

        await _segments.ReleaseAsync(current, cancellationToken);
        var now = time.GetUtcNow();
        var done = await runs.UpdateAsync(
            end.TenantId,
            end.RunId,
            r => r.IsTerminal ? r : r with
            {
                Status = end.Status,
                Error = end.Error,
                CompletedAt = now,
                Steps = r.Steps.Select(s => s.Status is StepStatus.Pending or StepStatus.Running or StepStatus.Waiting
                    ? s with { Status = end.Status == RunStatus.Succeeded ? StepStatus.Succeeded : StepStatus.Skipped }
                    : s).ToList(),
            },
            cancellationToken);
        if (done is null)
        {
            return;
        }

        var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(done.Status.ToString());
        metrics.Ended.Add(1, new KeyValuePair<string, object?>("status", name));
        Logs.RunEnded(logger, done.Id, name, done.Progress.RecordsPublished);
        await RecordOnIntegrationAsync(done, cancellationToken);
    }

    // Marks the unit's steps running; null when the run has ended or a cancel was requested.
    private async Task<Run?> StartStepAsync(StepCall call, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var run = await runs.UpdateAsync(
            call.TenantId,
            call.RunId,
            r => r.IsTerminal || r.CancelRequested || r.Steps[call.First].Status == StepStatus.Running
                ? r
                : r with { Steps = Range(r.Steps, call.First, call.First, s => s with { Status = StepStatus.Running, StartedAt = s.StartedAt ?? now }) },
            cancellationToken);
        return run is null || run.IsTerminal || run.CancelRequested ? null : run;
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
                await runs.UpdateAsync(
                    call.TenantId,
                    call.RunId,
                    r => r with
                    {
                        Status = RunStatus.Running,
                        CurrentStep = Math.Max(r.CurrentStep, call.Last + 1),
                        LastProgressAt = now,
                        Error = null,
                        Steps = Range(r.Steps, call.First, call.Last, s => s with { Status = StepStatus.Succeeded, CompletedAt = now, Output = completed.Output, Error = null }),
                    },
                    cancellationToken);
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
