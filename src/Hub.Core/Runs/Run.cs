using System.Text.Json;
using System.Text.Json.Serialization;
using IntegrationHub.Core.Flows;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Runs;

/// <summary>Where a run is. Terminal: succeeded, failed, cancelled.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    /// <summary>Created; its orchestration has not started yet.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Its orchestration is advancing it.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Waiting on a durable timer: for an external job's next poll or a retry backoff.</summary>
    [JsonStringEnumMemberName("waiting")]
    Waiting,

    /// <summary>Waiting because an external API asked it to slow down.</summary>
    [JsonStringEnumMemberName("rate_limited")]
    RateLimited,

    /// <summary>Every step completed.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    /// <summary>A step failed for good, or the deadline passed.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Cancelled on request.</summary>
    [JsonStringEnumMemberName("cancelled")]
    Cancelled,

    /// <summary>No progress for longer than <c>Runs__StallAfter</c>; still retried, never reported succeeded.</summary>
    [JsonStringEnumMemberName("stalled")]
    Stalled,
}

/// <summary>Where a step is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepStatus>))]
public enum StepStatus
{
    /// <summary>Not started.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Started.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Waiting for an external job or a retry.</summary>
    [JsonStringEnumMemberName("waiting")]
    Waiting,

    /// <summary>Done.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    /// <summary>Failed for good.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Not run because the run was cancelled or failed earlier.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,
}

/// <summary>Counts a person watches while a run goes.</summary>
public sealed record RunProgress
{
    /// <summary>Records read from the source.</summary>
    public long RecordsRead { get; init; }

    /// <summary>Records through every transform.</summary>
    public long RecordsTransformed { get; init; }

    /// <summary>Events the sink accepted as new.</summary>
    public long RecordsPublished { get; init; }

    /// <summary>Records read again without change: their event (same id) was published by an earlier run, so the sink dropped it.</summary>
    public long RecordsUnchanged { get; init; }

    /// <summary>Events kept as dead letters because the sink refused them for good.</summary>
    public long RecordsDeadLettered { get; init; }

    /// <summary>Pages committed.</summary>
    public long Pages { get; init; }

    /// <summary>The next sequence id after the last page these counts include: a page committed by an attempt that died before counting it is counted once by the next.</summary>
    public long CountedThroughSequence { get; init; }
}

/// <summary>One step's checkpoint.</summary>
public sealed record StepState
{
    /// <summary>The step's name.</summary>
    public required string Name { get; init; }

    /// <summary>The step's type.</summary>
    public required string Type { get; init; }

    /// <summary>Where it is.</summary>
    public StepStatus Status { get; init; } = StepStatus.Pending;

    /// <summary>Attempts made after failures (kept across restarts).</summary>
    public int Attempts { get; init; }

    /// <summary>Step-specific durable state: an external job's reference, a resume point.</summary>
    public JsonElement? Checkpoint { get; init; }

    /// <summary>What the step produced, passed to the next step.</summary>
    public JsonElement? Output { get; init; }

    /// <summary>The last error, if any.</summary>
    public string? Error { get; init; }

    /// <summary>When it started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>
/// One execution of a flow (an integration's sync is a flow of read → transform → publish): the API's read
/// model of a Durable Functions orchestration whose instance id is <see cref="TenantDocument"/>'s id. Activities
/// write it (status, per-step state, progress, error, times) after every page and step.
/// </summary>
public sealed record Run : TenantDocument
{
    /// <summary>The flow run, if any (integration syncs have none).</summary>
    public string? FlowId { get; init; }

    /// <summary>The integration synced (or whose read step the flow starts with).</summary>
    public string? IntegrationId { get; init; }

    /// <summary><c>manual</c> or <c>schedule</c>.</summary>
    public required string Trigger { get; init; }

    /// <summary>For scheduled runs, the schedule slot (its id is derived from it).</summary>
    public DateTimeOffset? ScheduleSlot { get; init; }

    /// <summary>Where the run is.</summary>
    public RunStatus Status { get; init; } = RunStatus.Pending;

    /// <summary>The steps as they were when the run started (editing the flow does not change a running run).</summary>
    public required IReadOnlyList<FlowStep> Definition { get; init; }

    /// <summary>Each step's checkpoint, parallel to <see cref="Definition"/>.</summary>
    public required IReadOnlyList<StepState> Steps { get; init; }

    /// <summary>The index of the step to run next.</summary>
    public int CurrentStep { get; init; }

    /// <summary>Counts.</summary>
    public RunProgress Progress { get; init; } = new();

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When an instance first picked it up.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When a waiting run looks again (the end of its durable timer: a retry backoff, a rate limit, a job poll).</summary>
    public DateTimeOffset DueAt { get; init; }

    /// <summary>After this the run fails.</summary>
    public DateTimeOffset Deadline { get; init; }

    /// <summary>When it last moved forward (a page, a step, a live job poll).</summary>
    public DateTimeOffset LastProgressAt { get; init; }

    /// <summary>Set by a cancel request (which also raises the orchestration's <c>cancel</c> event); the run stops at its next page or step.</summary>
    public bool CancelRequested { get; init; }

    /// <summary>Why it failed, or what it waits for.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the run has ended.</summary>
    [JsonIgnore]
    public bool IsTerminal => Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;
}
