using System.Security.Cryptography;
using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs.Steps;
using IntegrationHub.Core.Transforms;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Core.Runs;

/// <summary>
/// Advances runs: takes a run's lease, executes steps from its checkpoint, writes a checkpoint after
/// every page and step, and frees the instance whenever the run has to wait (an external job, a retry
/// backoff, a rate limit, the end of this invocation's budget). <c>ResumeRuns</c> calls it for every
/// due run; an on-demand run is also advanced right away.
/// </summary>
public sealed class RunEngine(
    RunStore runs,
    IntegrationStore integrations,
    StepTypeRegistry stepTypes,
    IServiceProvider services,
    RunMetrics metrics,
    IOptions<RunsOptions> options,
    TimeProvider time,
    ILogger<RunEngine> logger)
{
    private readonly SyncSegment _segments = Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<SyncSegment>(services);

    /// <summary>This process's lease owner id.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>Advances every due run, oldest first, within the invocation budget; returns how many were advanced.</summary>
    public async Task<int> ResumeDueAsync(CancellationToken cancellationToken)
    {
        var budgetEnd = time.GetUtcNow().AddSeconds(options.Value.AdvanceBudgetSeconds);
        var due = await runs.DueAsync(time.GetUtcNow(), options.Value.ResumeBatchSize, cancellationToken);
        var advanced = 0;
        foreach (var run in due)
        {
            if (time.GetUtcNow() >= budgetEnd)
            {
                break;
            }

            if (await AdvanceAsync(run.TenantId, run.Id, budgetEnd, cancellationToken))
            {
                advanced++;
            }
        }

        return advanced;
    }

    /// <summary>Advances one run until it ends, waits or <paramref name="budgetEnd"/>; false when another instance holds it.</summary>
    public async Task<bool> AdvanceAsync(string tenantId, string runId, DateTimeOffset? budgetEnd, CancellationToken cancellationToken)
    {
        var run = await runs.GetAsync(tenantId, runId, cancellationToken);
        if (run is null || run.IsTerminal)
        {
            return false;
        }

        await using var handle = await RunHandle.TryAcquireAsync(run, InstanceId, runs, time, TimeSpan.FromSeconds(options.Value.LeaseSeconds), cancellationToken);
        if (handle is null)
        {
            return false;
        }

        var end = budgetEnd ?? time.GetUtcNow().AddSeconds(options.Value.AdvanceBudgetSeconds);
        try
        {
            await DetectStallAsync(handle, cancellationToken);
            await StepAsync(handle, end, cancellationToken);
        }
        catch (LeaseLostException)
        {
            Logs.LeaseLost(logger, runId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Unexpected (a store outage mid-run): leave the run to be resumed once the lease lapses.
            Logs.AdvanceFailed(logger, runId, e);
        }

        return true;
    }

    private async Task StepAsync(RunHandle handle, DateTimeOffset budgetEnd, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = handle.Current;
            var now = time.GetUtcNow();
            if (run.CancelRequested)
            {
                await CancelAsync(handle, cancellationToken);
                return;
            }

            if (now > run.Deadline)
            {
                await FinishAsync(handle, RunStatus.Failed, $"The run passed its deadline ({run.Deadline:u}).", cancellationToken);
                return;
            }

            if (run.CurrentStep >= run.Definition.Count)
            {
                await FinishAsync(handle, RunStatus.Succeeded, null, cancellationToken);
                return;
            }

            if (now >= budgetEnd)
            {
                await handle.ReleaseAsync(r => r with { DueAt = now }, cancellationToken);
                return;
            }

            var index = run.CurrentStep;
            var step = run.Definition[index];
            var type = stepTypes.Find(step.Type);
            var last = type?.Role == StepRole.Source ? stepTypes.SegmentEnd(run.Definition, index) : index;
            await handle.SaveAsync(r => r with { Status = RunStatus.Running, Steps = Replace(r.Steps, index, s => s with { Status = StepStatus.Running, StartedAt = s.StartedAt ?? now }) }, cancellationToken);

            StepOutcome outcome;
            try
            {
                outcome = type switch
                {
                    { Role: StepRole.Source } when last > index => await _segments.RunAsync(handle, index, last, budgetEnd, cancellationToken),
                    { Role: StepRole.Record } => TransformOutput(run, step),
                    IJobStepType job => await job.ExecuteAsync(new JobStepContext(run, step, run.Steps[index], Input(run, step)), cancellationToken),
                    _ => new StepOutcome.Fail($"Step type '{step.Type}' cannot run here."),
                };
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or Microsoft.Azure.Cosmos.CosmosException)
            {
                outcome = new StepOutcome.Retry(e.Message);
            }

            if (!await ApplyAsync(handle, index, last, outcome, cancellationToken))
            {
                return;
            }
        }
    }

    // Records a step's outcome. True when the run goes on in this invocation.
    private async Task<bool> ApplyAsync(RunHandle handle, int index, int last, StepOutcome outcome, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (outcome)
        {
            case StepOutcome.Completed completed:
                await handle.SaveAsync(
                    r => r with
                    {
                        CurrentStep = last + 1,
                        LastProgressAt = now,
                        Error = null,
                        Steps = Range(r.Steps, index, last, s => s with { Status = StepStatus.Succeeded, CompletedAt = now, Output = completed.Output, Error = null }),
                    },
                    cancellationToken);
                return true;

            case StepOutcome.Wait wait:
                Logs.RunWaiting(logger, handle.Current.Id, wait.Until, wait.Reason);
                await handle.ReleaseAsync(
                    r => r with
                    {
                        Status = wait.RateLimited ? RunStatus.RateLimited : RunStatus.Waiting,
                        DueAt = wait.Until,
                        LastProgressAt = now, // a job that is still running, or an API's pause, is alive
                        Error = wait.Reason,
                        Steps = Replace(r.Steps, index, s => s with { Status = StepStatus.Waiting, Checkpoint = wait.Checkpoint ?? s.Checkpoint }),
                    },
                    cancellationToken);
                return false;

            case StepOutcome.Retry retry:
                var attempts = handle.Current.Steps[index].Attempts + 1;
                Logs.StepFailed(logger, handle.Current.Id, handle.Current.Definition[index].Name, attempts, retry.Error);
                metrics.StepRetries.Add(1, new KeyValuePair<string, object?>("type", handle.Current.Definition[index].Type));
                if (attempts >= options.Value.MaxStepAttempts)
                {
                    await handle.SaveAsync(r => r with { Steps = Replace(r.Steps, index, s => s with { Attempts = attempts, Status = StepStatus.Failed, Error = retry.Error }) }, cancellationToken);
                    await FinishAsync(handle, RunStatus.Failed, $"Step '{handle.Current.Definition[index].Name}' failed {attempts} times: {retry.Error}", cancellationToken);
                    return false;
                }

                await handle.ReleaseAsync(
                    r => r with
                    {
                        Status = RunStatus.Waiting,
                        DueAt = now + Backoff(attempts),
                        Error = retry.Error,
                        Steps = Replace(r.Steps, index, s => s with { Attempts = attempts, Status = StepStatus.Waiting, Error = retry.Error }),
                    },
                    cancellationToken);
                return false;

            case StepOutcome.Fail fail:
                await handle.SaveAsync(r => r with { Steps = Replace(r.Steps, index, s => s with { Status = StepStatus.Failed, Error = fail.Error, CompletedAt = now }) }, cancellationToken);
                await FinishAsync(handle, RunStatus.Failed, fail.Error, cancellationToken);
                return false;

            default:
                await CancelAsync(handle, cancellationToken);
                return false;
        }
    }

    private async Task CancelAsync(RunHandle handle, CancellationToken cancellationToken)
    {
        var run = handle.Current;
        if (run.CurrentStep < run.Definition.Count && stepTypes.Job(run.Definition[run.CurrentStep].Type) is { } job)
        {
            await job.CancelAsync(new JobStepContext(run, run.Definition[run.CurrentStep], run.Steps[run.CurrentStep], Input(run, run.Definition[run.CurrentStep])), cancellationToken);
        }

        await FinishAsync(handle, RunStatus.Cancelled, "Cancelled on request.", cancellationToken);
    }

    private async Task FinishAsync(RunHandle handle, RunStatus status, string? error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await _segments.ReleaseAsync(handle.Current, cancellationToken);
        await handle.ReleaseAsync(
            r => r with
            {
                Status = status,
                Error = error,
                CompletedAt = now,
                Steps = r.Steps.Select(s => s.Status is StepStatus.Pending or StepStatus.Running or StepStatus.Waiting
                    ? s with { Status = status == RunStatus.Succeeded ? StepStatus.Succeeded : StepStatus.Skipped }
                    : s).ToList(),
            },
            cancellationToken);
        var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
        metrics.Ended.Add(1, new KeyValuePair<string, object?>("status", name));
        Logs.RunEnded(logger, handle.Current.Id, name, handle.Current.Progress.RecordsPublished);
        await RecordOnIntegrationAsync(handle.Current, cancellationToken);
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

    private async Task DetectStallAsync(RunHandle handle, CancellationToken cancellationToken)
    {
        var run = handle.Current;
        if (time.GetUtcNow() - run.LastProgressAt > TimeSpan.FromSeconds(options.Value.StallAfterSeconds) && run.Status != RunStatus.Stalled)
        {
            Logs.RunStalled(logger, run.Id, run.LastProgressAt);
            metrics.Stalled.Add(1);
            await handle.SaveAsync(r => r with { Status = RunStatus.Stalled, Error = $"No progress since {r.LastProgressAt:u}." }, cancellationToken);
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
        var baseDelay = options.Value.RetryBaseDelaySeconds * Math.Pow(2, attempt - 1);
        var jittered = baseDelay * (0.8 + (0.4 * Random.Shared.NextDouble()));
        return TimeSpan.FromSeconds(Math.Min(jittered, options.Value.RetryMaxDelaySeconds));
    }

    private static List<StepState> Replace(IReadOnlyList<StepState> steps, int index, Func<StepState, StepState> change) =>
        steps.Select((s, i) => i == index ? change(s) : s).ToList();

    private static List<StepState> Range(IReadOnlyList<StepState> steps, int first, int last, Func<StepState, StepState> change) =>
        steps.Select((s, i) => i >= first && i <= last ? change(s) : s).ToList();
}
