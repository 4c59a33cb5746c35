using System.Text.Json;
using IntegrationHub.Core.Events;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>Issue 17: the Cosmos event log stores one document per published page and lists events out of them.</summary>
public sealed class EventLogTests
{
    private const string Tenant = "t1";

    [Fact]
    public async Task Pages_are_one_document_each_a_re_send_stores_nothing_twice_and_listing_slices_them_in_order_with_tokens()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("eventlog"));
        var log = hub.EventLog;
        var first = Batch("run-a", 1, 5);
        await log.PublishWithReceiptAsync(first, default);
        await log.PublishWithReceiptAsync(Batch("run-a", 6, 3), default);
        var resend = await log.PublishWithReceiptAsync(first, default); // an outbox replay after a crash
        await log.PublishWithReceiptAsync(Batch("run-b", 9, 2), default);

        var documents = await CountDocumentsAsync(hub);
        var listed = new List<LoggedEvent>();
        var requests = 0;
        string? token = null;
        do
        {
            var page = await log.ListAsync(Tenant, null, "run-a", 3, token, default);
            Assert.True(page.Items.Count <= 3);
            listed.AddRange(page.Items);
            token = page.ContinuationToken;
            requests++;
        }
        while (token is not null);

        Assert.Equal(3, documents);
        Assert.Equal(new PublishReceipt(5, 0), resend);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), listed.Select(e => e.SequenceId));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"k{i}"), listed.Select(e => e.Key));
        Assert.All(listed, e => Assert.Equal("run-a", e.RunId));
        Assert.Equal(3, requests); // 3 + 3 + 2
        Assert.Equal(["k9", "k10"], (await log.ListAsync(Tenant, null, "run-b", 50, null, default)).Items.Select(e => e.Key));
        Assert.Equal(10, (await log.ListAsync(Tenant, "int-1", null, 50, null, default)).Items.Count);
    }

    [Fact]
    public async Task A_page_larger_than_a_cosmos_item_is_split_and_listed_whole_in_order()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("eventlog"));
        var big = new string('x', 300_000);
        await hub.EventLog.PublishWithReceiptAsync(Batch("run-big", 1, 8, big), default);

        var listed = (await hub.EventLog.ListAsync(Tenant, null, "run-big", 100, null, default)).Items;

        Assert.True(await CountDocumentsAsync(hub) >= 3, "8 events of 300 KB cannot fit one document under 2 MB");
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), listed.Select(e => e.SequenceId));
        Assert.All(listed, e => Assert.Equal(big, e.Event.Data.GetProperty("v").GetString()));
    }

    [Fact]
    public async Task A_document_of_the_earlier_one_per_event_format_is_not_listed_and_breaks_nothing()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("eventlog"));
        var container = hub.Services.GetRequiredService<HubCosmos>().Container(CosmosEventLog.Container.Name);
        var old = Batch("run-old", 1, 1).Events[0];
        await container.CreateItemAsync(
            new { id = old.Event.Id, tenantId = Tenant, topic = "t", producerName = "p", sequenceId = 1, key = "k1", integrationId = "int-1", runId = "run-old", @event = JsonSerializer.SerializeToElement(old.Event, HubCosmos.SerializerOptions) },
            new PartitionKey(Tenant));
        await hub.EventLog.PublishWithReceiptAsync(Batch("run-new", 2, 1), default);

        var listed = (await hub.EventLog.ListAsync(Tenant, "int-1", null, 50, null, default)).Items;

        Assert.Equal(["run-new"], listed.Select(e => e.RunId));
    }

    [Fact]
    public async Task A_page_published_as_its_own_outbox_entry_stands_as_first_published_and_is_handed_back_only_to_its_run()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("eventlog"));
        var log = hub.EventLog;
        var batch = Batch("run-a", 1, 4);
        var page = Page(batch, "run-a", cursor: 4);
        var reread = Page(Batch("run-a", 1, 4, "changed upstream"), "run-a", cursor: 5); // the same run read the source again after a crash

        var published = await log.PublishPageAsync(page, default);
        var second = await log.PublishPageAsync(reread, default);
        var found = await log.GetPageAsync(Tenant, batch.Topic, batch.ProducerName, "run-a", 1, default);
        var otherRun = await log.GetPageAsync(Tenant, batch.Topic, batch.ProducerName, "run-b", 1, default);
        var byOtherRun = await log.PublishPageAsync(Page(Batch("run-b", 1, 4), "run-b", cursor: 9), default);
        var listed = (await log.ListAsync(Tenant, null, null, 50, null, default)).Items;

        Assert.Same(page, published);
        Assert.Equal(batch.Events.Select(e => e.Event.Id), second!.Events.Select(e => e.Event.Id)); // the first publication stands
        Assert.Equal(4, second.CursorAfter.GetProperty("position").GetInt32());
        Assert.Equal(["k1", "k2"], second.MemoryRecords.Select(r => r.Key));
        Assert.Equal(5, found!.NextSequenceAfter);
        Assert.Equal(3, found.Unchanged);
        Assert.Null(otherRun);
        Assert.Null(byOtherRun); // another run's page: not committed by this one (the outbox path replaces it)
        Assert.Equal(batch.Events.Select(e => e.Event.Id), listed.Select(e => e.Id));
        Assert.Equal(1, await CountDocumentsAsync(hub));
    }

    private static OutboxPage Page(EventBatch batch, string runId, int cursor) => new()
    {
        RunId = runId,
        TenantId = Tenant,
        Topic = batch.Topic,
        ProducerName = batch.ProducerName,
        Events = batch.Events,
        CursorAfter = JsonSerializer.SerializeToElement(new { position = cursor }),
        NextSequenceAfter = batch.Events[^1].SequenceId + 1,
        RecordsRead = batch.Events.Count + 3,
        Unchanged = 3,
        Remember = true,
        MemoryPosition = 0,
        MemoryRecords = [new RememberedEntry("k1", batch.Events[0].Event.Id), new RememberedEntry("k2", batch.Events[1].Event.Id)],
    };

    private static async Task<int> CountDocumentsAsync(EngineInstance hub)
    {
        var container = hub.Services.GetRequiredService<HubCosmos>().Container(CosmosEventLog.Container.Name);
        using var iterator = container.GetItemQueryIterator<JsonElement>(new QueryDefinition("SELECT c.id FROM c WHERE c.tenantId = @t").WithParameter("@t", Tenant));
        var count = 0;
        while (iterator.HasMoreResults)
        {
            count += (await iterator.ReadNextAsync()).Count;
        }

        return count;
    }

    private static EventBatch Batch(string runId, long firstSequence, int count, string value = "v") => new(
        "hub.t1.rest.records",
        "hub-t1-int-1-records",
        Enumerable.Range(0, count).Select(i =>
        {
            var sequence = firstSequence + i;
            var data = JsonSerializer.SerializeToElement(new { v = value, n = sequence });
            return new OutboundEvent(
                sequence,
                $"k{sequence}",
                new CloudEvent
                {
                    Id = EventIds.For("int-1", "records", $"k{sequence}", null, "upserted", data),
                    Source = $"/tenants/{Tenant}/integrations/int-1/streams/records",
                    Type = "com.integrationhub.rest.records.upserted",
                    Subject = $"k{sequence}",
                    TenantId = Tenant,
                    IntegrationId = "int-1",
                    RunId = runId,
                    Data = data,
                },
                new Dictionary<string, string> { ["stream"] = "records" });
        }).ToList());
}
