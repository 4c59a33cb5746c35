using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Core.Events;

/// <summary>A published event as the Cosmos event log lists it.</summary>
public sealed record LoggedEvent
{
    /// <summary>The event id (the CloudEvent's <c>id</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The owning tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>The topic it was published to.</summary>
    public required string Topic { get; init; }

    /// <summary>The producer that published it.</summary>
    public required string ProducerName { get; init; }

    /// <summary>Its sequence id.</summary>
    public long SequenceId { get; init; }

    /// <summary>Its key.</summary>
    public required string Key { get; init; }

    /// <summary>The integration, for filtering.</summary>
    public string? IntegrationId { get; init; }

    /// <summary>The run, for filtering.</summary>
    public string? RunId { get; init; }

    /// <summary>When its page was stored.</summary>
    public DateTimeOffset PublishedAt { get; init; }

    /// <summary>The envelope.</summary>
    public required CloudEvent Event { get; init; }
}

/// <summary>
/// The embedded event sink used when Pulsar is not configured: each published page of events is one document
/// of the <c>events</c> container (several when its encoded events pass <see cref="OutboxStore.MaxChunkBytes"/>,
/// so each stays under Cosmos DB's 2 MB item limit), so a sync costs O(pages) writes, not O(records).
/// </summary>
/// <remarks>
/// <para>A page document's id is <c>page-</c> + 24 hex digits of SHA-256 over topic and producer + <c>-</c> + the
/// sequence id of its first event (19 digits): deterministic, so publishing the same page again (an outbox replay
/// after a crash) overwrites it with the same events and stores nothing twice. Sequence ids are monotonic per
/// producer, so no two pages share an id.</para>
/// <para>The log does not tell an unchanged record from a new one: <see cref="RecordMemory"/> does that before any
/// sink is asked, so every event of a batch counts as accepted.</para>
/// <para>Listing: page documents of the tenant (and run or integration) in order of their first sequence id, one
/// document per request, events sliced out of them; the hub's continuation token names the document and the offset.
/// Documents of the earlier one-per-event format are not migrated and not listed (nor do they break a list).</para>
/// </remarks>
public sealed class CosmosEventLog(HubCosmos cosmos, TimeProvider time) : IEventSink
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("events", UnindexedPaths: ["/events/*"]);

    /// <summary>The <c>kind</c> of a page document.</summary>
    public const string PageKind = "page";

    private readonly DocumentSet<PageDocument> _pages = cosmos.Documents<PageDocument>(Container.Name);
    private readonly DocumentSet<StoredPage> _stored = cosmos.Documents<StoredPage>(Container.Name);

    /// <inheritdoc />
    public string Name => "cosmos";

    /// <inheritdoc />
    public Task PublishAsync(EventBatch batch, CancellationToken cancellationToken) => PublishWithReceiptAsync(batch, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Every event counts as accepted: a page written again (a re-send) replaces itself.</remarks>
    public async Task<PublishReceipt> PublishWithReceiptAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Events.Count == 0)
        {
            return new PublishReceipt(0, 0);
        }

        List<List<OutboundEvent>> chunks;
        try
        {
            chunks = OutboxStore.Chunk(batch.Events).Select(c => c.Events).ToList();
        }
        catch (ArgumentException e)
        {
            throw new EventPublishException($"The Cosmos event log refused the batch: an event is not a valid CloudEvent: {e.Message}", isTransient: false, e);
        }

        var first = batch.Events[0].Event;
        var producer = ProducerHash(batch.Topic, batch.ProducerName);
        var now = time.GetUtcNow();
        try
        {
            foreach (var chunk in chunks)
            {
                await _pages.UpsertAsync(
                    new PageDocument
                    {
                        Id = $"page-{producer}-{chunk[0].SequenceId:D19}",
                        TenantId = first.TenantId,
                        Topic = batch.Topic,
                        ProducerName = batch.ProducerName,
                        IntegrationId = first.IntegrationId,
                        RunId = first.RunId,
                        FirstSequenceId = chunk[0].SequenceId,
                        LastSequenceId = chunk[^1].SequenceId,
                        Count = chunk.Count,
                        PublishedAt = now,
                        Events = chunk,
                    },
                    cancellationToken);
            }

            return new PublishReceipt(batch.Events.Count, 0);
        }
        catch (CosmosException e)
        {
            throw new EventPublishException($"The Cosmos event log refused the batch ({(int)e.StatusCode}).", isTransient: true, e);
        }
    }

    /// <summary>A page of a tenant's events, filtered by integration and run, in publication order (first sequence id of each stored page, then order within it).</summary>
    /// <exception cref="InvalidContinuationTokenException">The token is not one this list issued.</exception>
    public Task<Page<LoggedEvent>> ListAsync(string tenantId, string? integrationId, string? runId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var text = "SELECT * FROM c WHERE c.tenantId = @tenantId AND c.kind = @kind"
            + (integrationId is null ? string.Empty : " AND c.integrationId = @integration")
            + (runId is null ? string.Empty : " AND c.runId = @run")
            + " ORDER BY c.firstSequenceId";
        var query = new QueryDefinition(text).WithParameter("@kind", PageKind);
        if (integrationId is not null)
        {
            query = query.WithParameter("@integration", integrationId);
        }

        if (runId is not null)
        {
            query = query.WithParameter("@run", runId);
        }

        return StoreRefusals.Translate(_stored.QueryItemsPageAsync(query, tenantId, pageSize, continuationToken, Slice, cancellationToken));
    }

    private static (IReadOnlyList<LoggedEvent> Items, int Total) Slice(StoredPage page, int offset, int max)
    {
        var events = page.Events ?? [];
        var take = Math.Max(0, Math.Min(max, events.Count - offset));
        var items = new List<LoggedEvent>(take);
        for (var i = offset; i < offset + take; i++)
        {
            var e = events[i].Deserialize<OutboundEvent>(HubCosmos.SerializerOptions)
                ?? throw new JsonException($"Event {i} of the stored page '{page.Id}' is null.");
            items.Add(new LoggedEvent
            {
                Id = e.Event.Id,
                TenantId = page.TenantId,
                Topic = page.Topic,
                ProducerName = page.ProducerName,
                SequenceId = e.SequenceId,
                Key = e.Key,
                IntegrationId = e.Event.IntegrationId,
                RunId = e.Event.RunId,
                PublishedAt = page.PublishedAt,
                Event = e.Event,
            });
        }

        return (items, events.Count);
    }

    private static string ProducerHash(string topic, string producer) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{topic}\n{producer}")).AsSpan(0, 12));

    /// <summary>A published page as written: its events carry their encoded envelopes (written once, as the outbox wrote them).</summary>
    private sealed record PageDocument : TenantDocument
    {
        [JsonPropertyName("kind")]
        public string Kind { get; init; } = PageKind;

        public required string Topic { get; init; }

        public required string ProducerName { get; init; }

        public string? IntegrationId { get; init; }

        public string? RunId { get; init; }

        public long FirstSequenceId { get; init; }

        public long LastSequenceId { get; init; }

        public int Count { get; init; }

        public DateTimeOffset PublishedAt { get; init; }

        public required IReadOnlyList<OutboundEvent> Events { get; init; }
    }

    /// <summary>A page as read for listing: events left as JSON until sliced out.</summary>
    private sealed record StoredPage : TenantDocument
    {
        public string Topic { get; init; } = string.Empty;

        public string ProducerName { get; init; } = string.Empty;

        public DateTimeOffset PublishedAt { get; init; }

        public IReadOnlyList<JsonElement>? Events { get; init; }
    }
}
