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
