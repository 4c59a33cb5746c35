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
}

/// <summary>
/// The in-flight page of each run, in the <c>outbox</c> container: a header document per run and the
/// events in chunks of at most <see cref="MaxChunkBytes"/>, so a page of large records stays under
/// Cosmos DB's 2 MB item limit.
/// </summary>
public sealed class OutboxStore(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("outbox");

    /// <summary>The most serialized event bytes one chunk document holds.</summary>
    public const int MaxChunkBytes = 1_000_000;

    private readonly DocumentSet<OutboxHeader> _headers = cosmos.Documents<OutboxHeader>(Container.Name);
    private readonly DocumentSet<OutboxChunk> _chunks = cosmos.Documents<OutboxChunk>(Container.Name);

    /// <summary>Writes (replaces) a run's in-flight page: chunks first, then the header that makes them count.</summary>
    public async Task WriteAsync(OutboxPage page, CancellationToken cancellationToken)
    {
        var chunks = Chunk(page.Events);
        for (var i = 0; i < chunks.Count; i++)
        {
            await _chunks.UpsertAsync(new OutboxChunk { Id = ChunkId(page.RunId, i), TenantId = page.TenantId, Events = chunks[i] }, cancellationToken);
        }

        await _headers.UpsertAsync(
            new OutboxHeader
            {
                Id = page.RunId,
                TenantId = page.TenantId,
                Topic = page.Topic,
                ProducerName = page.ProducerName,
                Chunks = chunks.Count,
                CursorAfter = page.CursorAfter,
                NextSequenceAfter = page.NextSequenceAfter,
                RecordsRead = page.RecordsRead,
                Unchanged = page.Unchanged,
                Remember = page.Remember,
            },
            cancellationToken);
    }

    /// <summary>A run's in-flight page, if any.</summary>
    public async Task<OutboxPage?> GetAsync(string tenantId, string runId, CancellationToken cancellationToken)
    {
        if (await _headers.ReadAsync(tenantId, runId, cancellationToken) is not { } header)
        {
            return null;
        }

        var events = new List<OutboundEvent>();
        for (var i = 0; i < header.Chunks; i++)
        {
            var chunk = await _chunks.ReadAsync(tenantId, ChunkId(runId, i), cancellationToken)
                ?? throw new InvalidOperationException($"Outbox chunk {i} of run '{runId}' is missing.");
            events.AddRange(chunk.Events);
        }

        return new OutboxPage
        {
            RunId = runId,
            TenantId = tenantId,
            Topic = header.Topic,
            ProducerName = header.ProducerName,
            Events = events,
            CursorAfter = header.CursorAfter,
            NextSequenceAfter = header.NextSequenceAfter,
            RecordsRead = header.RecordsRead,
            Unchanged = header.Unchanged,
            Remember = header.Remember,
        };
    }

    /// <summary>Clears a run's in-flight page (its chunks are left to be overwritten or to expire with the run).</summary>
    public Task ClearAsync(string tenantId, string runId, CancellationToken cancellationToken) => _headers.DeleteAsync(tenantId, runId, null, cancellationToken);

    private static string ChunkId(string runId, int index) => $"{runId}:chunk:{index}";

    /// <summary>Splits <paramref name="events"/> in order into runs of at most <see cref="MaxChunkBytes"/> encoded bytes (an event larger than that alone).</summary>
    internal static List<List<OutboundEvent>> Chunk(IReadOnlyList<OutboundEvent> events)
    {
        var chunks = new List<List<OutboundEvent>> { new() };
        var bytes = 0;
        foreach (var e in events)
        {
            var size = e.Encoded.Length + e.Key.Length + 200; // the envelope as stored, its key and properties
            if (bytes + size > MaxChunkBytes && chunks[^1].Count > 0)
            {
                chunks.Add([]);
                bytes = 0;
            }

            chunks[^1].Add(e);
            bytes += size;
        }

        return chunks;
    }

    private sealed record OutboxHeader : TenantDocument
    {
        public required string Topic { get; init; }

        public required string ProducerName { get; init; }

        public int Chunks { get; init; }

        public JsonElement CursorAfter { get; init; }

        public long NextSequenceAfter { get; init; }

        public int RecordsRead { get; init; }

        public int Unchanged { get; init; }

        public bool Remember { get; init; }
    }

    private sealed record OutboxChunk : TenantDocument
    {
        public required IReadOnlyList<OutboundEvent> Events { get; init; }
    }
}
