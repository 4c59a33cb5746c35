using System.Text.Json;
using IntegrationHub.Core.Events;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Runs;

public sealed class OutboxTests
{
    [Fact]
    public async Task A_page_larger_than_a_cosmos_item_round_trips_through_the_outbox_in_order()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("outbox"));
        var outbox = hub.Services.GetRequiredService<OutboxStore>();
        var body = new string('x', 20_000);
        var events = Enumerable.Range(1, 150).Select(i => new OutboundEvent(
            i,
            $"k{i}",
            new CloudEvent { Id = $"e{i}", Source = "/test", Type = "test", TenantId = "t1", Data = JsonSerializer.SerializeToElement(new { i, body }) })).ToList();

        await outbox.WriteAsync(new OutboxPage { RunId = "r1", TenantId = "t1", Topic = "t", ProducerName = "p", Events = events, CursorAfter = JsonSerializer.SerializeToElement(new { position = 150 }), NextSequenceAfter = 151 }, default);
        var read = await outbox.GetAsync("t1", "r1", default);
        await outbox.ClearAsync("t1", "r1", default);

        Assert.Equal(events.Select(e => e.Event.Id), read!.Events.Select(e => e.Event.Id));
        Assert.Equal(151, read.NextSequenceAfter);
        Assert.Null(await outbox.GetAsync("t1", "r1", default));
    }
}
