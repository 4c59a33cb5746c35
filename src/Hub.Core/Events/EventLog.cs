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
/// <para>A sync page published through <see cref="PublishPageAsync"/> is its own outbox entry (<see cref="IOutboxSink"/>):
/// its document also holds the commit data (<see cref="CommittedPageDocument"/>: the cursor after the page, the next
/// sequence id, its counts and record-memory position; <c>memoryRecords</c>) and is created, never replaced, so what a
/// run published stays as it was published until the run commits it.</para>
/// <para>Listing: page documents of the tenant (and run or integration) in order of their first sequence id, one
/// document per request, events sliced out of them; the hub's continuation token names the document and the offset.
/// Documents of the earlier one-per-event format are not migrated and not listed (nor do they break a list).</para>
/// </remarks>
public sealed class CosmosEventLog(HubCosmos cosmos, TimeProvider time) : IOutboxSink
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("events", UnindexedPaths: ["/events/*", "/memoryRecords/*", "/cursorAfter/*"]);

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

        var now = time.GetUtcNow();
        try
        {
            foreach (var chunk in chunks)
            {
                await _pages.UpsertAsync(Document(batch.Topic, batch.ProducerName, chunk, now), cancellationToken);
            }

            return new PublishReceipt(batch.Events.Count, 0);
        }
        catch (CosmosException e)
        {
            throw new EventPublishException($"The Cosmos event log refused the batch ({(int)e.StatusCode}).", isTransient: true, e);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One document of at most <see cref="OutboxStore.MaxChunkBytes"/> for the events and the record memory together,
    /// created with the id <see cref="PublishWithReceiptAsync"/> gives the page (so listing, ids and duplicates behave
    /// the same); a Cosmos DB conflict (409) means the id is taken, and the page there is read back.
    /// </remarks>
    public async Task<OutboxPage?> PublishPageAsync(OutboxPage page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (page.Events.Count == 0)
        {
            throw new ArgumentException("A page to publish has at least one event.", nameof(page));
        }

        try
        {
            if (OutboxStore.Chunk(page.Events, page.MemoryRecords).Count > 1)
            {
                return null;
            }
        }
        catch (ArgumentException e)
        {
            throw new EventPublishException($"The Cosmos event log refused the batch: an event is not a valid CloudEvent: {e.Message}", isTransient: false, e);
        }

        var document = CommittedPageDocument.WithCommitOf(Document(page.Topic, page.ProducerName, page.Events, time.GetUtcNow()), page) with { MemoryRecords = page.MemoryRecords };
        try
        {
            var (created, held) = await _pages.CreateOrReadAsync(document, cancellationToken);
            return created ? page : Staged(held, page.RunId);
        }
        catch (CosmosException e)
        {
            throw new EventPublishException($"The Cosmos event log refused the batch ({(int)e.StatusCode}).", isTransient: true, e);
        }
    }

    /// <inheritdoc />
    public async Task<OutboxPage?> GetPageAsync(string tenantId, string topic, string producerName, string runId, long firstSequenceId, CancellationToken cancellationToken)
    {
        try
        {
            return await _pages.ReadAsync(tenantId, PageId(topic, producerName, firstSequenceId), cancellationToken) is { } held ? Staged(held, runId) : null;
        }
        catch (CosmosException e)
        {
            throw new EventPublishException($"The Cosmos event log could not be read ({(int)e.StatusCode}).", isTransient: true, e);
        }
    }

    // The page as the run that published it committed it, when it is that run's and carries its commit data.
    private static OutboxPage? Staged(PageDocument? held, string runId) =>
        held is { NextSequenceAfter: > 0 } && held.RunId == runId
            ? held.PageOf(runId, held.Topic, held.ProducerName, held.Events, held.MemoryRecords ?? [])
            : null;

    private static PageDocument Document(string topic, string producerName, IReadOnlyList<OutboundEvent> events, DateTimeOffset now)
    {
        var first = events[0].Event;
        return new PageDocument
        {
            Id = PageId(topic, producerName, events[0].SequenceId),
            TenantId = first.TenantId,
            Topic = topic,
            ProducerName = producerName,
            IntegrationId = first.IntegrationId,
            RunId = first.RunId,
            FirstSequenceId = events[0].SequenceId,
            LastSequenceId = events[^1].SequenceId,
            Count = events.Count,
            PublishedAt = now,
            Events = events,
        };
    }

    private static string PageId(string topic, string producerName, long firstSequenceId) => $"page-{ProducerHash(topic, producerName)}-{firstSequenceId:D19}";

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

    /// <summary>
    /// A published page as written: its events carry their encoded envelopes (written once). A page published through
    /// <see cref="PublishPageAsync"/> also holds its commit data (the base's fields, <c>runId</c> the run that published it)
    /// and its record memory.
    /// </summary>
    private sealed record PageDocument : CommittedPageDocument
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

        public IReadOnlyList<RememberedEntry>? MemoryRecords { get; init; }
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
