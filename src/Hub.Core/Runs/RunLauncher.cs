using System.Security.Cryptography;
using System.Text;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Integrations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Core.Runs;

/// <summary>Why a run could not be started.</summary>
public sealed class RunNotStartedException(string message, string? activeRunId = null) : Exception(message)
{
    /// <summary>The run in the way, when another run of the integration is in progress.</summary>
    public string? ActiveRunId { get; } = activeRunId;
}

/// <summary>Creates runs: on demand, for a schedule slot, or of a flow; and records cancel requests.</summary>
public sealed class RunLauncher(
    RunStore runs,
    IntegrationStore integrations,
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

    /// <summary>Starts an on-demand sync; <see cref="RunNotStartedException"/> when disabled or already running.</summary>
    public async Task<Run> StartSyncAsync(Integration integration, CancellationToken cancellationToken)
    {
        if (!integration.Enabled)
        {
            throw new RunNotStartedException($"Integration '{integration.Id}' is disabled.");
        }

        var state = await integrations.GetStateAsync(integration.TenantId, integration.Id, cancellationToken);
        if (state.ActiveRunId is { } active && await runs.GetAsync(integration.TenantId, active, cancellationToken) is { IsTerminal: false })
        {
            throw new RunNotStartedException($"Run '{active}' of integration '{integration.Id}' is still in progress.", active);
        }

        // Claim the integration before the run exists, so a second start at the same moment is refused here.
        var id = $"run-{Guid.NewGuid():N}";
        try
        {
            await integrations.ReplaceStateAsync(state with { ActiveRunId = id }, cancellationToken);
        }
        catch (Shared.Cosmos.ConcurrencyConflictException)
        {
            throw new RunNotStartedException($"Another run of integration '{integration.Id}' was started at the same moment.");
        }

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
    public async Task<Run> StartFlowAsync(Flow flow, CancellationToken cancellationToken)
    {
        var integrationId = flow.Steps.FirstOrDefault(s => s.Type == "read")?.IntegrationId;
        var (_, run) = await CreateAsync(flow.TenantId, $"run-{Guid.NewGuid():N}", "manual", integrationId, flow.Id, null, flow.Steps, cancellationToken);
        return run;
    }

    /// <summary>A run, or null.</summary>
    public Task<Run?> GetRunAsync(string tenantId, string runId, CancellationToken cancellationToken) => runs.GetAsync(tenantId, runId, cancellationToken);

    /// <summary>Asks a run to stop; the instance advancing it stops at its next checkpoint. False when it has already ended.</summary>
    public async Task<Run> RequestCancelAsync(Run run, CancellationToken cancellationToken) =>
        run.IsTerminal ? run : await runs.ReplaceAsync(run with { CancelRequested = true, DueAt = time.GetUtcNow() }, cancellationToken);

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
                Deadline = now.AddMinutes(options.Value.DeadlineMinutes),
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
