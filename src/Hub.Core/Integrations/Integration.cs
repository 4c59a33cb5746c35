using System.Text.Json;
using System.Text.Json.Serialization;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Integrations;

/// <summary>The summary of an integration's last run.</summary>
public sealed record LastRunSummary(string RunId, string Status, DateTimeOffset? CompletedAt, long RecordsPublished, string? Error);

/// <summary>
/// A tenant's connector instance: which connector, its validated configuration, the credential it
/// uses, which stream it syncs, where events go, how records map to events, and when it runs.
/// What changes on every run (cursor, sequence ids, schedule slots) is kept apart in
/// <see cref="IntegrationState"/>, so an admin's ETag is not invalidated by every sync.
/// </summary>
public sealed record Integration : TenantDocument
{
    /// <summary>Document type: integrations and their state share the container.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "integration";

    /// <summary>A human name.</summary>
    public required string Name { get; init; }

    /// <summary>The connector (catalog id).</summary>
    public required string ConnectorId { get; init; }

    /// <summary>Configuration, valid against the connector's configuration schema.</summary>
    public JsonElement Configuration { get; init; }

    /// <summary>The credential used for the connection, if the connector needs one.</summary>
    public string? CredentialId { get; init; }

    /// <summary>The connector stream this integration syncs.</summary>
    public required string Stream { get; init; }

    /// <summary>NCRONTAB schedule of syncs; null for on-demand only.</summary>
    public string? Schedule { get; init; }

    /// <summary>Disabled integrations are not scheduled and cannot be run.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The topic events go to; null for the default naming scheme.</summary>
    public string? Topic { get; init; }

    /// <summary>A declarative mapping from records to event payloads; null publishes records as read.</summary>
    public JsonElement? Mapping { get; init; }

    /// <summary><c>active</c>, <c>disabled</c> or <c>error</c> (the last run failed).</summary>
    public string Status { get; init; } = "active";

    /// <summary>The last run, for list views.</summary>
    public LastRunSummary? LastRun { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its definition last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// What the run engine keeps per integration: the committed cursor (only ever past published records),
/// the next producer sequence id (kept with the cursor so broker deduplication spans runs), the last
/// schedule slot started, and the run currently holding the integration.
/// </summary>
public sealed record IntegrationState : TenantDocument
{
    /// <summary>Document type.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "state";

    /// <summary>The integration.</summary>
    public required string IntegrationId { get; init; }

    /// <summary>The connector cursor after the last published page; null to start from the beginning.</summary>
    public JsonElement? Cursor { get; init; }

    /// <summary>The sequence id the next published event gets.</summary>
    public long NextSequenceId { get; init; } = 1;

    /// <summary>The last schedule slot a run was started for.</summary>
    public DateTimeOffset? LastScheduledSlot { get; init; }

    /// <summary>The run that currently owns the integration (one at a time), or null.</summary>
    public string? ActiveRunId { get; init; }

    /// <summary>When <see cref="ActiveRunId"/> was claimed: a claimed run that does not exist yet is being created (see <c>ActiveRuns</c>).</summary>
    public DateTimeOffset? ActiveRunClaimedAt { get; init; }

    /// <summary>
    /// Who first wrote this integration's <see cref="Events.RecordMemory"/>: the id of that run, or <c>webhooks</c>; null
    /// while it holds nothing. A run finds its memory empty of anything but its own records while this is null or its own
    /// id, and skips reading it (the first full-refresh run of an integration costs writes, not reads).
    /// </summary>
    public string? RecordMemoryFrom { get; init; }

    /// <summary>
    /// How many positions of the record memory by position (<see cref="Events.RecordMemory.ReadAlong"/>) hold what
    /// was last published: the count the last complete full-refresh read wrote, raised by any later read that wrote
    /// further. Positions at or past it are leftovers of a longer read before and are not consulted (they could hold
    /// a record's content from before a change that a shorter read published elsewhere). Null: not known, every
    /// position is consulted.
    /// </summary>
    public int? RememberedPositions { get; init; }

    /// <summary>The state document's id for an integration.</summary>
    public static string DocumentIdOf(string integrationId) => $"{integrationId}:state";
}
