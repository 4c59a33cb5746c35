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
public sealed record OutboxPage
{
    /// <summary>The run.</summary>
    public required string RunId { get; init; }

    /// <summary>The tenant.</summary>
    public required string TenantId { get; init; }

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

    /// <summary>Records of this page left out because <see cref="RecordMemory"/> had their event as the last published (counted unchanged).</summary>
    public int Unchanged { get; init; }

    /// <summary>Whether the page's events are remembered in <see cref="RecordMemory"/> once published.</summary>
    public bool Remember { get; init; }

    /// <summary>
    /// For a page remembered by position (<see cref="RecordMemory.ReadAlong"/>): its position in the read; null when
    /// it is remembered by key.
    /// </summary>
    public int? MemoryPosition { get; init; }

    /// <summary>For a page remembered by position: every record of the page in read order with its event id (published, unchanged or already published by this run); empty otherwise.</summary>
    public IReadOnlyList<RememberedEntry> MemoryRecords { get; init; } = [];
}

/// <summary>
/// The in-flight page of each run, in the <c>outbox</c> container: a header document per run and the
/// events in chunks of at most <see cref="MaxChunkBytes"/>, so a page of large records stays under
/// Cosmos DB's 2 MB item limit. A page remembered by position carries its records' keys and event ids
/// (<see cref="OutboxPage.MemoryRecords"/>) in the same chunks, after the events (most pages: still one chunk).
/// </summary>
public sealed class OutboxStore(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("outbox", UnindexedPaths: ["/events/*", "/memoryRecords/*"]);

    /// <summary>The most serialized event bytes one chunk document holds.</summary>
    public const int MaxChunkBytes = 1_000_000;

    private readonly DocumentSet<OutboxHeader> _headers = cosmos.Documents<OutboxHeader>(Container.Name);
    private readonly DocumentSet<OutboxChunk> _chunks = cosmos.Documents<OutboxChunk>(Container.Name);

    /// <summary>Writes (replaces) a run's in-flight page: chunks first, then the header that makes them count.</summary>
    public async Task WriteAsync(OutboxPage page, CancellationToken cancellationToken)
    {
        var chunks = Chunk(page.Events, page.MemoryRecords);
        for (var i = 0; i < chunks.Count; i++)
        {
            await _chunks.UpsertAsync(new OutboxChunk { Id = ChunkId(page.RunId, i), TenantId = page.TenantId, Events = chunks[i].Events, MemoryRecords = chunks[i].MemoryRecords }, cancellationToken);
        }

        var header = new OutboxHeader { Id = page.RunId, TenantId = page.TenantId, Topic = page.Topic, ProducerName = page.ProducerName, Chunks = chunks.Count };
        await _headers.UpsertAsync(CommittedPageDocument.WithCommitOf(header, page), cancellationToken);
    }

    /// <summary>A run's in-flight page, if any.</summary>
    public async Task<OutboxPage?> GetAsync(string tenantId, string runId, CancellationToken cancellationToken)
    {
        if (await _headers.ReadAsync(tenantId, runId, cancellationToken) is not { } header)
        {
            return null;
        }

        var events = new List<OutboundEvent>();
        var remembered = new List<RememberedEntry>();
        for (var i = 0; i < header.Chunks; i++)
        {
            var chunk = await _chunks.ReadAsync(tenantId, ChunkId(runId, i), cancellationToken)
                ?? throw new InvalidOperationException($"Outbox chunk {i} of run '{runId}' is missing.");
            events.AddRange(chunk.Events);
            remembered.AddRange(chunk.MemoryRecords ?? []);
        }

        return header.PageOf(runId, header.Topic, header.ProducerName, events, remembered);
    }

    /// <summary>Clears a run's in-flight page (its chunks are left to be overwritten or to expire with the run).</summary>
    public Task ClearAsync(string tenantId, string runId, CancellationToken cancellationToken) => _headers.DeleteAsync(tenantId, runId, null, cancellationToken);

    private static string ChunkId(string runId, int index) => $"{runId}:chunk:{index}";

    /// <summary>
    /// Splits <paramref name="events"/>, then <paramref name="memoryRecords"/>, in order into chunks of at most
    /// <see cref="MaxChunkBytes"/> stored bytes (an event larger than that alone); at least one chunk.
    /// </summary>
    internal static List<(List<OutboundEvent> Events, List<RememberedEntry> MemoryRecords)> Chunk(IReadOnlyList<OutboundEvent> events, IReadOnlyList<RememberedEntry>? memoryRecords = null)
    {
        var chunks = new List<(List<OutboundEvent> Events, List<RememberedEntry> MemoryRecords)> { ([], []) };
        var bytes = 0;
        void Room(int size)
        {
            if (bytes + size > MaxChunkBytes && (chunks[^1].Events.Count > 0 || chunks[^1].MemoryRecords.Count > 0))
            {
                chunks.Add(([], []));
                bytes = 0;
            }

            bytes += size;
        }

        foreach (var e in events)
        {
            Room(e.Encoded.Length + e.Key.Length + 200); // the envelope as stored, its key and properties
            chunks[^1].Events.Add(e);
        }

        foreach (var entry in memoryRecords ?? [])
        {
            Room(entry.StoredBytes);
            chunks[^1].MemoryRecords.Add(entry);
        }

        return chunks;
    }

    private sealed record OutboxHeader : CommittedPageDocument
    {
        public required string Topic { get; init; }

        public required string ProducerName { get; init; }

        public int Chunks { get; init; }
    }

    private sealed record OutboxChunk : TenantDocument
    {
        public required IReadOnlyList<OutboundEvent> Events { get; init; }

        public IReadOnlyList<RememberedEntry>? MemoryRecords { get; init; }
    }
}

/// <summary>
/// A stored page's commit data — the cursor and next sequence id committing it moves the integration to, and what
/// it counts and remembers — as the outbox header and an event-log page that is its own outbox entry
/// (<see cref="IOutboxSink"/>) both store it: flat, beside their own fields (<c>cursorAfter</c>, <c>nextSequenceAfter</c>,
/// <c>recordsRead</c>, <c>unchanged</c>, <c>remember</c>, <c>memoryPosition</c>).
/// </summary>
internal abstract record CommittedPageDocument : TenantDocument
{
    /// <summary>The connector cursor after the page; null on an event-log page published without commit data.</summary>
    public JsonElement? CursorAfter { get; init; }

    /// <summary>The next sequence id after the page; 0 on an event-log page published without commit data.</summary>
    public long NextSequenceAfter { get; init; }

    /// <summary>Records read for the page.</summary>
    public int RecordsRead { get; init; }

    /// <summary>Records of the page recognised unchanged.</summary>
    public int Unchanged { get; init; }

    /// <summary>Whether the page's records are remembered once it is published.</summary>
    public bool Remember { get; init; }

    /// <summary>The page's position in a read remembered by position.</summary>
    public int? MemoryPosition { get; init; }

    /// <summary><paramref name="document"/> with <paramref name="page"/>'s commit data.</summary>
    public static T WithCommitOf<T>(T document, OutboxPage page)
        where T : CommittedPageDocument => (T)document with
    {
        CursorAfter = page.CursorAfter,
        NextSequenceAfter = page.NextSequenceAfter,
        RecordsRead = page.RecordsRead,
        Unchanged = page.Unchanged,
        Remember = page.Remember,
        MemoryPosition = page.MemoryPosition,
    };

    /// <summary>The page as committing it takes: this commit data with the page's identity, events and memory records.</summary>
    public OutboxPage PageOf(string runId, string topic, string producerName, IReadOnlyList<OutboundEvent> events, IReadOnlyList<RememberedEntry> memoryRecords) => new()
    {
        RunId = runId,
        TenantId = TenantId,
        Topic = topic,
        ProducerName = producerName,
        Events = events,
        CursorAfter = CursorAfter ?? default,
        NextSequenceAfter = NextSequenceAfter,
        RecordsRead = RecordsRead,
        Unchanged = Unchanged,
        Remember = Remember,
        MemoryPosition = MemoryPosition,
        MemoryRecords = memoryRecords,
    };
}
