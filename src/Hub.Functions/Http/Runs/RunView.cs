using System.Text.Json;
using IntegrationHub.Core.Runs;

namespace IntegrationHub.Functions.Http.Runs;

/// <summary>A step as a run's progress shows it.</summary>
public sealed record StepView(string Name, string Type, StepStatus Status, int Attempts, string? Error, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, JsonElement? Output);

/// <summary>A run as the API shows it: status, per-step state, progress, times and error.</summary>
public sealed record RunView(
    string Id,
    string? IntegrationId,
    string? FlowId,
    string Trigger,
    DateTimeOffset? ScheduleSlot,
    RunStatus Status,
    RunProgress Progress,
    IReadOnlyList<StepView> Steps,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset Deadline,
    bool CancelRequested,
    string? Error)
{
    /// <summary>The view of a run.</summary>
    public static RunView Of(Run run) => new(
        run.Id,
        run.IntegrationId,
        run.FlowId,
        run.Trigger,
        run.ScheduleSlot,
        run.Status,
        run.Progress,
        run.Definition.Select((d, i) => run.Steps[i] is var s ? new StepView(s.Name, s.Type, s.Status, s.Attempts, s.Error, s.StartedAt, s.CompletedAt, s.Output) : null!).ToList(),
        run.CreatedAt,
        run.StartedAt,
        run.CompletedAt,
        run.IsTerminal ? null : run.DueAt,
        run.Deadline,
        run.CancelRequested,
        run.Error);

    /// <summary>Where a run is polled.</summary>
    public static string LocationOf(string runId) => RunService.LocationOf(runId);
}
