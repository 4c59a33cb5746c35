using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IntegrationHub.Comparison;
using IntegrationHub.Connectors;
using IntegrationHub.Connectors.Http;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Transforms;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;

namespace IntegrationHub.Benchmarks;

/// <summary>
/// The worker's in-process cost per record of the comparison's job (bench/Hub.Comparison), stage by stage,
/// on pages of the comparison source's own records: the REST connector's <see cref="JsonRecordReader"/> over
/// a page body, the record the connector makes of each element, <see cref="RecordMapping"/> as the transform
/// step applies it, the CloudEvent envelope as the sync segment builds it (its id covers the mapped content),
/// the page's record-memory document (full-refresh reads: one per page, by position), the one structured-mode encoding of each
/// event (one SDK batch-mode call per page), and the serialization the default sink pays with the Cosmos serializer
/// options: the event log's page document, which is also the page's outbox entry, writing the encoded bytes as they
/// are (the Pulsar sink sends the same bytes). Allocations come from <see cref="GC.GetAllocatedBytesForCurrentThread"/>, so nothing new is
/// exposed in production; this measures code, not the Functions host, Cosmos or the network.
/// Usage: hotpath [pages=200]
/// </summary>
public static class HotPathBenchmark
{
    private const int WarmupPages = 20;

    public static async Task<int> RunAsync(string[] args)
    {
        var pages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var pageSize = SourceRecords.PageSize;
        var body = new ArrayBufferWriter<byte>();
        SourceRecords.WritePage(body, pageSize, 1, pageSize);
        var page = body.WrittenMemory.ToArray();

        using var mappingDocument = JsonDocument.Parse(SourceRecords.HubMappingJson);
        if (!RecordMapping.TryCompile(mappingDocument.RootElement, "mapping", out var mapping, out var errors))
        {
            Console.Error.WriteLine($"hotpath: the mapping does not compile: {string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))}");
            return 1;
        }

        var stages = new Stage[] { new("read (JsonRecordReader)"), new("record (ConnectorRecord)"), new("map (RecordMapping)"), new("envelope (CloudEvent, id)"), new("record memory (by position)"), new("encode CloudEvents (SDK batch)"), new("serialize event-log page") };
        var thread = Environment.CurrentManagedThreadId;
        long checksum = 0;
        for (var i = 0; i < WarmupPages + pages; i++)
        {
            checksum += await OnePageAsync(page, pageSize, mapping!, i < WarmupPages ? null : stages);
        }

        if (Environment.CurrentManagedThreadId != thread)
        {
            Console.Error.WriteLine("hotpath: the loop changed threads; per-thread allocation counts are incomplete.");
            return 1;
        }

        var records = (long)pages * pageSize;
        Console.WriteLine($"hotpath: {pages:N0} pages of {pageSize:N0} records ({page.Length / (double)pageSize:N0} B of JSON each), after {WarmupPages} warm-up pages; checksum {checksum}");
        Console.WriteLine($"  {"stage",-28} {"ns/record",10} {"B/record",10}");
        foreach (var stage in stages)
        {
            Console.WriteLine($"  {stage.Name,-28} {stage.Elapsed.TotalNanoseconds / records,10:N0} {stage.Allocated / (double)records,10:N0}");
        }

        var path = stages.Where(s => s.InDefaultSink).ToList();
        Console.WriteLine($"  {"total to the default sink",-28} {path.Sum(s => s.Elapsed.TotalNanoseconds) / records,10:N0} {path.Sum(s => s.Allocated) / (double)records,10:N0}");
        Console.WriteLine("  (the Pulsar sink sends the encoded bytes as they are: no stage of its own)");
        Console.WriteLine($"  => the worker's own ceiling on one core: about {records / TimeSpan.FromTicks(path.Sum(s => s.Elapsed.Ticks)).TotalSeconds:N0} records/s (Cosmos, HTTP and the host not included)");
        return checksum == (long)(WarmupPages + pages) * pageSize ? 0 : 1;
    }

    private static async Task<long> OnePageAsync(byte[] page, int pageSize, RecordMapping mapping, Stage[]? stages)
    {
        // 1. The connector's streaming reader over the response body.
        var mark = Start();
        var elements = new List<JsonElement>(pageSize);
        var reader = new JsonRecordReader("", null);
        await using (var stream = new MemoryStream(page, writable: false))
        {
            await foreach (var batch in reader.ReadAsync(stream, pageSize, CancellationToken.None))
            {
                elements.AddRange(batch);
            }
        }

        Stop(stages, 0, mark);

        // 2. The record the REST connector makes of each element (id as text, no cursor field).
        mark = Start();
        var records = new List<ConnectorRecord>(elements.Count);
        foreach (var element in elements)
        {
            var id = JsonRecordReader.Select(element, "id")!.Value.GetRawText();
            records.Add(new ConnectorRecord(id, null, RecordOperation.Upsert, null, element));
        }

        Stop(stages, 1, mark);

        // 3. The transform step: the mapping applied and turned back into an element.
        mark = Start();
        var mapped = new List<JsonElement>(records.Count);
        foreach (var record in records)
        {
            mapped.Add(JsonSerializer.SerializeToElement(mapping.Apply(record.Data)));
        }

        Stop(stages, 2, mark);

        // 4. The envelope, as SyncSegment.Envelope builds it (the id digests the mapped data) and its OutboundEvent.
        mark = Start();
        var events = new List<OutboundEvent>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var cloudEvent = new CloudEvent
            {
                Id = EventIds.For("int-bench", "records", record.Id, record.Version, "upserted", mapped[i]),
                Source = $"/tenants/{"bench"}/integrations/{"int-bench"}/streams/{"records"}",
                Type = $"com.integrationhub.{"rest"}.{"records"}.{"upserted"}",
                Subject = record.Id,
                Time = record.Timestamp ?? DateTimeOffset.UtcNow,
                TenantId = "bench",
                IntegrationId = "int-bench",
                RunId = "run-bench",
                Data = mapped[i],
            };
            events.Add(new OutboundEvent(i, record.Id, cloudEvent, new Dictionary<string, string>(3, StringComparer.Ordinal) { ["connector"] = "rest", ["stream"] = "records", ["operation"] = "upserted" }));
        }

        Stop(stages, 3, mark);

        // 5. The record memory of the page (a full-refresh read): its keys and event ids, and the one position document.
        mark = Start();
        var entries = new List<RememberedEntry>(events.Count);
        foreach (var e in events)
        {
            entries.Add(new RememberedEntry(e.Key, e.Event.Id));
        }

        var remembered = new Dictionary<string, string>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            remembered[entry.Key] = entry.EventId;
        }

        using (var position = new MemoryStream())
        {
            JsonSerializer.Serialize(
                position,
                new RememberedPosition { Id = RecordMemory.PositionIdOf("int-bench", "records", 0), TenantId = "bench", IntegrationId = "int-bench", Stream = "records", Position = 0, RunId = "run-bench", Records = remembered },
                HubCosmos.SerializerOptions);
        }

        Stop(stages, 4, mark);

        // 6. Each event in structured mode, once: the page's events in one batch-mode call of the SDK's formatter, sliced
        // (kept by each OutboundEvent for every later writer).
        mark = Start();
        OutboundEvent.EncodeAll(events);
        long bytes = 0;
        foreach (var e in events)
        {
            bytes += e.Encoded.Length;
        }

        Stop(stages, 5, mark);

        // 7. The default sink: the event log's one document for the page, which is also its outbox entry (events, the
        // record memory, the commit data). (A Pulsar sink writes an outbox chunk of the same shape instead.)
        mark = Start();
        using (var document = new MemoryStream())
        {
            JsonSerializer.Serialize(
                document,
                new { id = "page-0123456789abcdef01234567-0000000000000000001", tenantId = "bench", kind = CosmosEventLog.PageKind, topic = "hub.bench.rest.records", producerName = "hub-bench-int-bench-records", integrationId = "int-bench", runId = "run-bench", firstSequenceId = 0, lastSequenceId = events.Count - 1, count = events.Count, publishedAt = DateTimeOffset.UtcNow, events, commit = new { runId = "run-bench", cursorAfter = (object?)null, nextSequenceAfter = events.Count, recordsRead = events.Count, unchanged = 0, remember = true, memoryPosition = 0 }, memoryRecords = entries },
                HubCosmos.SerializerOptions);
        }

        Stop(stages, 6, mark);
        return bytes > 0 && remembered.Count == mapped.Count ? mapped.Count : 0;
    }

    private static (long Allocated, long Timestamp) Start() => (GC.GetAllocatedBytesForCurrentThread(), Stopwatch.GetTimestamp());

    private static void Stop(Stage[]? stages, int index, (long Allocated, long Timestamp) mark)
    {
        var elapsed = Stopwatch.GetElapsedTime(mark.Timestamp);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - mark.Allocated;
        if (stages is not null)
        {
            stages[index].Elapsed += elapsed;
            stages[index].Allocated += allocated;
        }
    }

    private sealed class Stage(string name, bool inDefaultSink = true)
    {
        public string Name { get; } = name;

        public bool InDefaultSink { get; } = inDefaultSink;

        public TimeSpan Elapsed { get; set; }

        public long Allocated { get; set; }
    }
}
