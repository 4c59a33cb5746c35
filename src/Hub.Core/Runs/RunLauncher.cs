using System.Security.Cryptography;
using System.Text;
using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Integrations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Core.Runs;

/// <summary>Why a run could not be started (the integration is disabled).</summary>
public sealed class RunNotStartedException(string message, string? activeRunId = null) : Exception(message)
{
    /// <summary>The run in the way, when another run of the integration is in progress.</summary>
    public string? ActiveRunId { get; } = activeRunId;
}

/// <summary>Creates runs: on demand, for a schedule slot, or of a flow; and records cancel requests.</summary>
/// <remarks>
/// One run at a time per integration and per flow. A start claims the integration's (or flow's) state
/// document with an ETag-conditional write naming the new run id and the claim time, and only then creates
/// the run; of simultaneous starts exactly one write succeeds, the others get a
/// <see cref="ResourceConflictException"/> (409) naming the run in progress. A claimed run counts as in
/// progress while it is not ended, and, before its document exists, for <see cref="ActiveRuns.ClaimGrace"/>
/// after the claim (a starter that died between claim and create frees the integration after that).
/// </remarks>
public sealed class RunLauncher(
    RunStore runs,
    IntegrationStore integrations,
    FlowStore flows,
    RunMetrics metrics,
    IOptions<RunsOptions> options,
    TimeProvider time,
    ILogger<RunLauncher> logger)
{
    /// <summary>The flow an integration's sync runs: read → transform (when it has a mapping) → publish.</summary>
    public static IReadOnlyList<FlowStep> SyncFlowOf(Integration integration)
    {
        var steps = new List<FlowStep> { new() { Name = "read", Type = "read", IntegrationId = integration.Id } };
        if (integration.Mapping is { } mapping)
        {
            steps.Add(new FlowStep { Name = "transform", Type = "transform", Mapping = mapping });
        }

        steps.Add(new FlowStep { Name = "publish", Type = "publish", Topic = integration.Topic });
        return steps;
    }

    /// <summary>The id of the run of a schedule slot: the same on every instance, so a slot starts once.</summary>
    public static string SlotRunId(string integrationId, DateTimeOffset slot) =>
        "sched-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{integrationId}\n{slot.UtcDateTime:O}")))[..24];

    /// <summary>Starts an on-demand sync.</summary>
    /// <exception cref="RunNotStartedException">The integration is disabled.</exception>
    /// <exception cref="ResourceConflictException">A run of the integration is in progress (also one started at the same moment); the message names it.</exception>
    public async Task<Run> StartSyncAsync(Integration integration, CancellationToken cancellationToken)
    {
        if (!integration.Enabled)
        {
            throw new RunNotStartedException($"Integration '{integration.Id}' is disabled.");
        }

        var id = $"run-{Guid.NewGuid():N}";
        await ClaimAsync(
            "integration",
            integration.TenantId,
            integration.Id,
            async ct =>
            {
                var state = await integrations.GetStateAsync(integration.TenantId, integration.Id, ct);
                return (state.ActiveRunId, state.ActiveRunClaimedAt, (now, c) => integrations.ReplaceStateAsync(state with { ActiveRunId = id, ActiveRunClaimedAt = now }, c));
            },
            cancellationToken);

        var (_, run) = await CreateAsync(integration.TenantId, id, "manual", integration.Id, null, null, SyncFlowOf(integration), cancellationToken);
        return run;
    }

    /// <summary>Starts the run of a schedule slot, once across every instance; null when the slot already has one.</summary>
    public async Task<Run?> StartSlotAsync(Integration integration, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        var (created, run) = await CreateAsync(integration.TenantId, SlotRunId(integration.Id, slot), "schedule", integration.Id, null, slot, SyncFlowOf(integration), cancellationToken);
        return created ? run : null;
    }

    /// <summary>Starts a run of a flow.</summary>
    /// <exception cref="ResourceConflictException">A run of the flow is in progress (also one started at the same moment); the message names it.</exception>
    public async Task<Run> StartFlowAsync(Flow flow, CancellationToken cancellationToken)
    {
        var id = $"run-{Guid.NewGuid():N}";
        await ClaimAsync(
            "flow",
            flow.TenantId,
            flow.Id,
            async ct =>
            {
                var state = await flows.GetStateAsync(flow.TenantId, flow.Id, ct);
                return (state.ActiveRunId, state.ActiveRunClaimedAt, (now, c) => flows.ReplaceStateAsync(state with { ActiveRunId = id, ActiveRunClaimedAt = now }, c));
            },
            cancellationToken);

        var integrationId = flow.Steps.FirstOrDefault(s => s.Type == "read")?.IntegrationId;
        var (_, run) = await CreateAsync(flow.TenantId, id, "manual", integrationId, flow.Id, null, flow.Steps, cancellationToken);
        return run;
    }

    /// <summary>A run, or null.</summary>
    public Task<Run?> GetRunAsync(string tenantId, string runId, CancellationToken cancellationToken) => runs.GetAsync(tenantId, runId, cancellationToken);

    /// <summary>Asks a run to stop; the instance advancing it stops at its next checkpoint. False when it has already ended.</summary>
    public async Task<Run> RequestCancelAsync(Run run, CancellationToken cancellationToken) =>
        run.IsTerminal ? run : await runs.ReplaceAsync(run with { CancelRequested = true, DueAt = time.GetUtcNow() }, cancellationToken);

    private const int MaxClaimAttempts = 5;

    // Claims the integration's or flow's one active-run slot (readState's claim writes the new run's id) before the run exists: a second start at the same
    // moment loses the ETag-checked state write. A live active run refuses (409 naming it); a state that keeps changing
    // (another start, or a run committing its cursor) is read again, up to MaxClaimAttempts.
    private async Task ClaimAsync(
        string kind,
        string tenantId,
        string resourceId,
        Func<CancellationToken, Task<(string? ActiveRunId, DateTimeOffset? ClaimedAt, Func<DateTimeOffset, CancellationToken, Task> Claim)>> readState,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (activeRunId, claimedAt, claim) = await readState(cancellationToken);
            var now = time.GetUtcNow();
            if (await ActiveRuns.LiveAsync(runs, tenantId, activeRunId, claimedAt, now, cancellationToken) is { } active)
            {
                Logs.RunStartRefused(logger, kind, resourceId, tenantId, active);
                throw InProgress(kind, resourceId, active);
            }

            try
            {
                await claim(now, cancellationToken);
                return;
            }
            catch (Shared.Cosmos.ConcurrencyConflictException) when (attempt < MaxClaimAttempts)
            {
                // Someone wrote the state meanwhile: look again.
            }
            catch (Shared.Cosmos.ConcurrencyConflictException e)
            {
                var name = kind == "flow" ? "Flow" : "Integration";
                throw new ResourceConflictException($"{name} '{resourceId}' is busy: its state kept changing while a run was being started.", "Retry in a moment.", e);
            }
        }
    }

    private static ResourceConflictException InProgress(string kind, string id, string activeRunId) =>
        new($"Run '{activeRunId}' of {kind} '{id}' is still in progress.", $"Follow it at /api/v1/runs/{activeRunId}, or cancel it (POST /api/v1/runs/{activeRunId}/cancel) first.");

    private async Task<(bool Created, Run Run)> CreateAsync(string tenantId, string id, string trigger, string? integrationId, string? flowId, DateTimeOffset? slot, IReadOnlyList<FlowStep> steps, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = await runs.TryCreateAsync(
            new Run
            {
                Id = id,
                TenantId = tenantId,
                Trigger = trigger,
                IntegrationId = integrationId,
                FlowId = flowId,
                ScheduleSlot = slot,
                Definition = steps,
                Steps = steps.Select(s => new StepState { Name = s.Name, Type = s.Type }).ToList(),
                CreatedAt = now,
                DueAt = now,
                LastProgressAt = now,
                Deadline = now + options.Value.Deadline,
            },
            cancellationToken);
        if (result.Created)
        {
            metrics.Started.Add(1, new KeyValuePair<string, object?>("trigger", trigger));
            Logs.RunCreated(logger, id, trigger, tenantId);
        }

        return result;
    }
}

/// <summary>Whether the run an integration or flow names as active still holds it.</summary>
public static class ActiveRuns
{
    /// <summary>How long a claimed run that does not exist yet counts as being created.</summary>
    public static readonly TimeSpan ClaimGrace = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <paramref name="activeRunId"/> when it still holds: its run exists and has not ended, or it does not exist
    /// yet and was claimed less than <see cref="ClaimGrace"/> ago; otherwise null.
    /// </summary>
    public static async Task<string?> LiveAsync(RunStore runs, string tenantId, string? activeRunId, DateTimeOffset? claimedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (activeRunId is null)
        {
            return null;
        }

        return await runs.GetAsync(tenantId, activeRunId, cancellationToken) switch
        {
            { IsTerminal: false } => activeRunId,
            not null => null,
            null => claimedAt is { } at && now - at < ClaimGrace ? activeRunId : null,
        };
    }
}
