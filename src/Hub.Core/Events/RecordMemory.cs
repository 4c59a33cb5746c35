using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;

namespace IntegrationHub.Core.Events;

/// <summary>The id of the event last published for one source record of an integration stream (container <c>records</c>).</summary>
public sealed record RememberedRecord : TenantDocument
{
    /// <summary>The integration.</summary>
    public required string IntegrationId { get; init; }

    /// <summary>The connector stream.</summary>
    public required string Stream { get; init; }

    /// <summary>The source record's id (the event's key and subject).</summary>
    public required string RecordKey { get; init; }

    /// <summary>The id of the event last published for it (<see cref="EventIds"/>: covers the mapped content).</summary>
    public required string EventId { get; init; }

    /// <summary>The run that published it; null for a webhook delivery.</summary>
    public string? RunId { get; init; }
}

/// <summary>What the memory holds for one record key: the id of the event last published for it, and the run that published it (null: a webhook delivery).</summary>
/// <param name="EventId">The event id (<see cref="EventIds"/>, 32 hex characters).</param>
/// <param name="RunId">The run that published it; null for a webhook delivery.</param>
public sealed record RecalledEvent(string EventId, string? RunId);

/// <summary>
/// One position of a full-refresh read as last published (container <c>records</c>): the record keys found there,
/// in read order, each with the id of the event published for it.
/// </summary>
/// <remarks>
/// A position is a run of at most <see cref="RecordMemory.MaxEntriesPerPosition"/> records (and about
/// <see cref="RecordMemory.MaxBytesPerPosition"/> bytes of keys and ids) of one source page; a page of 1,000
/// records is one position. Id: <c>p-</c> + the first 64 bits of SHA-256 over integration and stream in hex +
/// <c>-</c> + the position; the read that publishes the position again overwrites it.
/// </remarks>
public sealed record RememberedPosition : TenantDocument
{
    /// <summary>The integration.</summary>
    public required string IntegrationId { get; init; }

    /// <summary>The connector stream.</summary>
    public required string Stream { get; init; }

    /// <summary>The position in the read, from 0.</summary>
    public required int Position { get; init; }

    /// <summary>The run that published it.</summary>
    public required string RunId { get; init; }

    /// <summary>Record key → id of the event published for it (a key twice in the position: its last).</summary>
    public required IReadOnlyDictionary<string, string> Records { get; init; }
}

/// <summary>A record of a page as read and published (or recognised unchanged): its key and its event id.</summary>
/// <param name="Key">The source record's id (the event's key and subject).</param>
/// <param name="EventId">The id of its event.</param>
public sealed record RememberedEntry(string Key, string EventId)
{
    /// <summary>At most how many bytes the entry takes in a stored JSON document: the key in UTF-8 (3 bytes a UTF-16 unit at most), the id, quotes and separators.</summary>
    internal int StoredBytes => (Key.Length * 3) + EventId.Length + 20;
}

/// <summary>
/// The hub's per-record memory, the same for every sink: for each record of an integration stream, the id of the
/// event last published for it. A record read again whose event id is the one remembered is unchanged and is
/// not published at all (the Cosmos event log, Pulsar, or any other sink never sees it).
/// </summary>
/// <remarks>
/// <para>Kept for records read without a version (full-refresh reads: a source without a cursor field re-reads
/// everything on every run) and for integrations that also receive webhooks (their connector takes them and a
/// webhook secret is set; so a webhook and a poll of the same content are one event). Records read incrementally are not remembered: the cursor never hands
/// them back.</para>
/// <para>Two shapes, chosen by how the records arrive:</para>
/// <list type="bullet">
/// <item><b>By position</b>, for full-refresh reads of integrations that receive no webhooks (<see cref="ReadAlong"/>): one
/// <see cref="RememberedPosition"/> document per page of the read, written after the sink acknowledged the page
/// (one upsert per page, not per record). A page is compared with the positions around its own
/// (<see cref="Window"/> either side) as they were before this read overwrote them, so records that shifted by up to
/// that many pages (inserted or deleted records upstream) are still recognised. A record that moved further is
/// published again under the same event id (its id covers content, not position), which consumers that dedupe
/// by <c>source</c> + <c>id</c> drop. Cost per page: one <c>ReadManyItemsAsync</c> (only when the memory was written
/// by another run) and one upsert.</item>
/// <item><b>By key</b>, for integrations that also receive webhooks (<see cref="RecallAsync"/>,
/// <see cref="RememberAsync"/>): a webhook delivery has no position in a read. One small document per record key
/// (id <c>r-</c> + the first 128 bits of SHA-256 over integration, stream and key in hex); one
/// <c>ReadManyItemsAsync</c> per page or delivery and one upsert per new or changed record. A positional read that
/// finds no position at all around a page also asks this shape, once per read (what hubs before the positional
/// memory wrote).</item>
/// </list>
/// <para>Setting a webhook secret on an integration polled in full refresh moves it from positions to keys: its
/// next poll, and a first delivery of a record, publish unchanged records once more, under the same event ids.</para>
/// </remarks>
public sealed class RecordMemory(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("records", UnindexedPaths: ["/records/*"]);

    /// <summary>Upserts in flight at once when remembering a page by key.</summary>
    public const int WriteParallelism = 16;

    /// <summary>The most records one <see cref="RememberedPosition"/> holds.</summary>
    public const int MaxEntriesPerPosition = 5_000;

    /// <summary>About the most bytes of keys and event ids one <see cref="RememberedPosition"/> holds (Cosmos DB's item limit is 2 MB).</summary>
    public const int MaxBytesPerPosition = 1_000_000;

    /// <summary>Positions either side of a page's own that a positional read compares it with.</summary>
    public const int Window = 2;

    private readonly DocumentSet<RememberedRecord> _records = cosmos.Documents<RememberedRecord>(Container.Name);
    private readonly DocumentSet<RememberedPosition> _positions = cosmos.Documents<RememberedPosition>(Container.Name);

    /// <summary>What is remembered by key for each of <paramref name="keys"/> that has a memory (by record key).</summary>
    public async Task<IReadOnlyDictionary<string, RecalledEvent>> RecallAsync(string tenantId, string integrationId, string stream, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return new Dictionary<string, RecalledEvent>(StringComparer.Ordinal);
        }

        var found = await _records.ReadManyAsync(tenantId, keys.Select(k => IdOf(integrationId, stream, k)).ToList(), cancellationToken);
        var recalled = new Dictionary<string, RecalledEvent>(found.Count, StringComparer.Ordinal);
        foreach (var record in found)
        {
            if (record.IntegrationId == integrationId && record.Stream == stream)
            {
                recalled[record.RecordKey] = new RecalledEvent(record.EventId, record.RunId);
            }
        }

        return recalled;
    }

    /// <summary>Remembers <paramref name="events"/> by key as the last published for their keys, by <paramref name="runId"/> (null: a webhook delivery); idempotent, a replay writes the same.</summary>
    public Task RememberAsync(string tenantId, string integrationId, string stream, string? runId, IEnumerable<(string Key, string EventId)> events, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            events,
            new ParallelOptions { MaxDegreeOfParallelism = WriteParallelism, CancellationToken = cancellationToken },
            async (e, ct) => await _records.UpsertAsync(
                new RememberedRecord { Id = IdOf(integrationId, stream, e.Key), TenantId = tenantId, IntegrationId = integrationId, Stream = stream, RecordKey = e.Key, EventId = e.EventId, RunId = runId },
                ct));

    /// <summary>
    /// A positional memory for one full-refresh read of an integration stream, from its first page (one per read; not
    /// thread-safe); positions at or past <paramref name="remembered"/> (IntegrationState.RememberedPositions) are not
    /// consulted, null consults every position.
    /// </summary>
    public PositionalRead ReadAlong(string tenantId, string integrationId, string stream, int? remembered) => new(this, tenantId, integrationId, stream, remembered);

    /// <summary>
    /// Remembers the records of one page at <paramref name="position"/> (and the positions after it when the page
    /// needs more than one, see <see cref="PositionsOf"/>), by <paramref name="runId"/>; one upsert per position,
    /// idempotent (a replay writes the same).
    /// </summary>
    public async Task RememberPositionsAsync(string tenantId, string integrationId, string stream, string runId, int position, IReadOnlyList<RememberedEntry> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var chunk in Chunk(records))
        {
            var entries = new Dictionary<string, string>(chunk.Count, StringComparer.Ordinal);
            foreach (var entry in chunk)
            {
                entries[entry.Key] = entry.EventId;
            }

            await _positions.UpsertAsync(
                new RememberedPosition { Id = PositionIdOf(integrationId, stream, position), TenantId = tenantId, IntegrationId = integrationId, Stream = stream, Position = position, RunId = runId, Records = entries },
                cancellationToken);
            position++;
        }
    }

    /// <summary>How many positions a page of <paramref name="records"/> takes (at least one).</summary>
    public static int PositionsOf(IReadOnlyList<RememberedEntry> records) => Chunk(records).Count;

    /// <summary>The document id of a record key's memory.</summary>
    public static string IdOf(string integrationId, string stream, string key) =>
        "r-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{integrationId}\n{stream}\n{key}")).AsSpan(0, 16));

    /// <summary>The document id of a position's memory.</summary>
    public static string PositionIdOf(string integrationId, string stream, int position) =>
        "p-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{integrationId}\n{stream}")).AsSpan(0, 8)) + "-" + position.ToString(CultureInfo.InvariantCulture);

    internal Task<IReadOnlyList<RememberedPosition>> ReadPositionsAsync(string tenantId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        _positions.ReadManyAsync(tenantId, ids, cancellationToken);

    // Runs of at most MaxEntriesPerPosition records and about MaxBytesPerPosition bytes; an empty page is one empty position.
    private static List<List<RememberedEntry>> Chunk(IReadOnlyList<RememberedEntry> records)
    {
        var chunks = new List<List<RememberedEntry>> { new() };
        var bytes = 0;
        foreach (var entry in records)
        {
            var size = entry.StoredBytes;
            if (chunks[^1].Count > 0 && (chunks[^1].Count >= MaxEntriesPerPosition || bytes + size > MaxBytesPerPosition))
            {
                chunks.Add([]);
                bytes = 0;
            }

            chunks[^1].Add(entry);
            bytes += size;
        }

        return chunks;
    }
}

/// <summary>
/// The positional memory as one full-refresh read goes along (<see cref="RecordMemory.ReadAlong"/>): pages are
/// recalled in read order, each against the positions within <see cref="RecordMemory.Window"/> of its own as they
/// were before this read wrote any of them (kept here while they are in reach, so memory stays a few pages).
/// </summary>
public sealed class PositionalRead
{
    private readonly RecordMemory _memory;
    private readonly string _tenantId;
    private readonly string _integrationId;
    private readonly string _stream;
    private readonly int _remembered;
    private readonly Dictionary<int, RememberedPosition?> _before = [];
    private bool _askKeys = true;

    internal PositionalRead(RecordMemory memory, string tenantId, string integrationId, string stream, int? remembered)
    {
        _memory = memory;
        _tenantId = tenantId;
        _integrationId = integrationId;
        _stream = stream;
        _remembered = remembered ?? int.MaxValue;
    }

    /// <summary>The position of the next page, from 0.</summary>
    public int Position { get; private set; }

    /// <summary>
    /// What is remembered for each of <paramref name="page"/>'s keys around the next page's position (the nearest
    /// position holding the key wins); one <c>ReadManyItemsAsync</c> for the positions not yet in reach.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, RecalledEvent>> RecallAsync(IReadOnlyList<RememberedEntry> page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var from = Position - RecordMemory.Window;
        var to = Position + RecordMemory.PositionsOf(page) - 1 + RecordMemory.Window;
        foreach (var gone in _before.Keys.Where(p => p < from).ToList())
        {
            _before.Remove(gone);
        }

        var missing = Enumerable.Range(Math.Max(0, from), to - Math.Max(0, from) + 1).Where(p => !_before.ContainsKey(p) && p < _remembered).ToList();
        if (missing.Count > 0)
        {
            var found = await _memory.ReadPositionsAsync(_tenantId, missing.Select(p => RecordMemory.PositionIdOf(_integrationId, _stream, p)).ToList(), cancellationToken);
            foreach (var p in missing)
            {
                _before[p] = p < _remembered ? found.FirstOrDefault(d => d.Position == p && d.IntegrationId == _integrationId && d.Stream == _stream) : null;
            }
        }

        var recalled = new Dictionary<string, RecalledEvent>(page.Count, StringComparer.Ordinal);
        var around = _before.Where(p => p.Key >= from && p.Key <= to && p.Value is not null).OrderBy(p => Math.Abs(p.Key - Position)).Select(p => p.Value!).ToList();
        foreach (var entry in page)
        {
            foreach (var position in around)
            {
                if (position.Records.TryGetValue(entry.Key, out var eventId))
                {
                    recalled[entry.Key] = new RecalledEvent(eventId, position.RunId);
                    break;
                }
            }
        }

        if (around.Count == 0 && _askKeys)
        {
            // Nothing remembered around here: records remembered by key (before positions existed) still count.
            var byKey = await _memory.RecallAsync(_tenantId, _integrationId, _stream, page.Select(e => e.Key).ToList(), cancellationToken);
            _askKeys = byKey.Count > 0;
            return byKey;
        }

        return recalled;
    }

    /// <summary>Moves past a page of <paramref name="page"/> records (recalled or not, remembered or not).</summary>
    public int Advance(IReadOnlyList<RememberedEntry> page)
    {
        var position = Position;
        Position += RecordMemory.PositionsOf(page);
        return position;
    }
}
