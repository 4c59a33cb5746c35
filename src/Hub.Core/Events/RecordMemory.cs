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

/// <summary>
/// The hub's per-record memory, the same for every sink: for each record key of an integration stream, the id of
/// the event last published for it. A record read again whose event id is the one remembered is unchanged and is
/// not published at all (the Cosmos event log, Pulsar, or any other sink never sees it).
/// </summary>
/// <remarks>
/// <para>Kept for records read without a version (full-refresh reads: a source without a cursor field re-reads
/// everything on every run) and for integrations whose connector also receives webhooks (so a webhook and a poll
/// of the same content are one event). Records read incrementally are not remembered: the cursor never hands
/// them back.</para>
/// <para>Cost: one <c>ReadManyItemsAsync</c> per page (one request), and one small upsert per new or changed
/// record; nothing for an unchanged one. One document per record key, id
/// <c>r-</c> + the first 128 bits of SHA-256 over integration, stream and key in hex, in the tenant's partition.</para>
/// </remarks>
public sealed class RecordMemory(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("records");

    /// <summary>Upserts in flight at once when remembering a page.</summary>
    public const int WriteParallelism = 16;

    private readonly DocumentSet<RememberedRecord> _records = cosmos.Documents<RememberedRecord>(Container.Name);

    /// <summary>What is remembered for each of <paramref name="keys"/> that has a memory (by record key).</summary>
    public async Task<IReadOnlyDictionary<string, RememberedRecord>> RecallAsync(string tenantId, string integrationId, string stream, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return new Dictionary<string, RememberedRecord>(StringComparer.Ordinal);
        }

        var found = await _records.ReadManyAsync(tenantId, keys.Select(k => IdOf(integrationId, stream, k)).ToList(), cancellationToken);
        var recalled = new Dictionary<string, RememberedRecord>(found.Count, StringComparer.Ordinal);
        foreach (var record in found)
        {
            if (record.IntegrationId == integrationId && record.Stream == stream)
            {
                recalled[record.RecordKey] = record;
            }
        }

        return recalled;
    }

    /// <summary>Remembers <paramref name="events"/> as the last published for their keys, by <paramref name="runId"/> (null: a webhook delivery); idempotent, a replay writes the same.</summary>
    public Task RememberAsync(string tenantId, string integrationId, string stream, string? runId, IEnumerable<(string Key, string EventId)> events, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            events,
            new ParallelOptions { MaxDegreeOfParallelism = WriteParallelism, CancellationToken = cancellationToken },
            async (e, ct) => await _records.UpsertAsync(
                new RememberedRecord { Id = IdOf(integrationId, stream, e.Key), TenantId = tenantId, IntegrationId = integrationId, Stream = stream, RecordKey = e.Key, EventId = e.EventId, RunId = runId },
                ct));

    /// <summary>The document id of a record key's memory.</summary>
    public static string IdOf(string integrationId, string stream, string key) =>
        "r-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{integrationId}\n{stream}\n{key}")).AsSpan(0, 16));
}
