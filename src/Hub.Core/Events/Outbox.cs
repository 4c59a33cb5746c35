using System.Text.Json;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;

namespace IntegrationHub.Core.Events;

/// <summary>
/// A page of events written down before it is published, with the cursor and sequence that committing
/// it moves to. If the instance dies between publishing and committing, the next one publishes exactly
/// these events again (same ids, same sequence ids: the sink drops what it already has) instead of
/// re-reading a source that may have changed meanwhile.
/// </summary>
public sealed record OutboxPage : TenantDocument
{
    /// <summary>The topic.</summary>
    public required string Topic { get; init; }

    /// <summary>The producer.</summary>
    public required string ProducerName { get; init; }

    /// <summary>The events.</summary>
    public required IReadOnlyList<OutboundEvent> Events { get; init; }

    /// <summary>The connector cursor after this page.</summary>
    public JsonElement CursorAfter { get; init; }

    /// <summary>The next sequence id after this page.</summary>
    public long NextSequenceAfter { get; init; }

    /// <summary>Records read for this page (for progress, when it is replayed).</summary>
    public int RecordsRead { get; init; }
}

/// <summary>The in-flight page of each run, in the <c>outbox</c> container (one document per run).</summary>
public sealed class OutboxStore(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("outbox");

    private readonly DocumentSet<OutboxPage> _pages = cosmos.Documents<OutboxPage>(Container.Name);

    /// <summary>Writes (replaces) a run's in-flight page.</summary>
    public Task WriteAsync(OutboxPage page, CancellationToken cancellationToken) => _pages.UpsertAsync(page, cancellationToken);

    /// <summary>A run's in-flight page, if any.</summary>
    public Task<OutboxPage?> GetAsync(string tenantId, string runId, CancellationToken cancellationToken) => _pages.ReadAsync(tenantId, runId, cancellationToken);

    /// <summary>Clears a run's in-flight page.</summary>
    public Task ClearAsync(string tenantId, string runId, CancellationToken cancellationToken) => _pages.DeleteAsync(tenantId, runId, null, cancellationToken);
}
