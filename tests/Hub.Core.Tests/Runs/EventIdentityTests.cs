using System.Text.Json;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Runs;
using IntegrationHub.Pulsar;
using IntegrationHub.Pulsar.Events;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Cosmos;
using IntegrationHub.TestDoubles.Pulsar;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Server;
using static IntegrationHub.Core.Tests.Runs.FullRefreshRest;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>
/// Issue 13, fault 4: in full-refresh mode (a REST source without cursorField, so no record versions) a
/// changed record is a new event, and an unchanged record read again is counted as unchanged, not published.
/// </summary>
public sealed class EventIdentityTests
{
    [Fact]
    public async Task A_record_changed_between_full_refresh_runs_is_a_new_event_and_an_unchanged_one_is_counted_unchanged()
    {
        await using var api = new ItemsApi();
        await api.StartAsync();
        await using var hub = await StartHubAsync("identity");
        var integration = await CreateRestAsync(hub, "int-rest", api.BaseAddress, pageSize: null, name: "full refresh");

        api.Body = """[{"id":"f1","v":"old"},{"id":"f2","v":"same"}]""";
        var first = await RunToEndAsync(hub, integration);
        api.Body = """[{"id":"f1","v":"new"},{"id":"f2","v":"same"}]""";
        var second = await RunToEndAsync(hub, integration);
        var third = await RunToEndAsync(hub, integration);

        var events = await hub.EventsAsync(Tenant, integration.Id);
        var f1 = events.Where(e => e.Event.Subject == "f1").ToList();
        Assert.Equal(["new", "old"], f1.Select(e => e.Event.Data.GetProperty("v").GetString()).Order());
        Assert.Equal(2, f1.Select(e => e.Id).Distinct().Count());
        Assert.Single(events, e => e.Event.Subject == "f2");
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal($"/tenants/{Tenant}/integrations/{integration.Id}/streams/records", e.Event.Source));
        Assert.Equal((2, 2, 0), (first.Progress.RecordsRead, first.Progress.RecordsPublished, first.Progress.RecordsUnchanged));
        Assert.Equal((2, 1, 1), (second.Progress.RecordsRead, second.Progress.RecordsPublished, second.Progress.RecordsUnchanged));
        Assert.Equal((2, 0, 2), (third.Progress.RecordsRead, third.Progress.RecordsPublished, third.Progress.RecordsUnchanged));
    }

    [Fact]
    public async Task Through_pulsar_an_unchanged_record_read_again_in_full_refresh_is_not_sent_and_a_changed_one_is()
    {
        await using var api = new ItemsApi();
        await api.StartAsync();
        await using var pulsar = new PulsarWebSocketDouble();
        await pulsar.StartAsync();
        await using var hub = await EngineInstance.StartAsync(
            SharedCosmosEmulator.NewDatabaseName("identity-pulsar"),
            s => s.AddHubPulsar(),
            settings: new Dictionary<string, string?> { ["Connectors:Network:AllowPrivateNetworks"] = "true", ["Pulsar:ServiceUrl"] = pulsar.ServiceUrl });
        Assert.IsType<PulsarEventSink>(hub.Services.GetRequiredService<IEventSink>());
        var integration = await CreateRestAsync(hub, "int-rest", api.BaseAddress, pageSize: null, name: "full refresh into pulsar");
        var topic = $"persistent://public/default/hub.{Tenant}.rest.records";

        api.Body = """[{"id":"f1","v":"old"}]""";
        var first = await RunToEndAsync(hub, integration);
        var afterFirst = pulsar.Messages(topic).Count;
        var second = await RunToEndAsync(hub, integration);
        var afterSecond = pulsar.Messages(topic).Count;
        api.Body = """[{"id":"f1","v":"new"}]""";
        var third = await RunToEndAsync(hub, integration);

        var sent = pulsar.Messages(topic).Select(m => JsonDocument.Parse(m.Text).RootElement).ToList();
        Assert.Equal((1, 1, 0), (first.Progress.RecordsRead, first.Progress.RecordsPublished, first.Progress.RecordsUnchanged));
        Assert.Equal((1, 0, 1), (second.Progress.RecordsRead, second.Progress.RecordsPublished, second.Progress.RecordsUnchanged));
        Assert.Equal((1, 1, 0), (third.Progress.RecordsRead, third.Progress.RecordsPublished, third.Progress.RecordsUnchanged));
        Assert.Equal((1, 1), (afterFirst, afterSecond)); // nothing reached the broker in run 2, not even a duplicate it would drop
        Assert.Equal(["old", "new"], sent.Select(e => e.GetProperty("data").GetProperty("v").GetString()));
        Assert.NotEqual(sent[0].GetProperty("id").GetString(), sent[1].GetProperty("id").GetString());
        Assert.Equal(0, pulsar.DuplicatesDropped);
    }

    [Fact]
    public async Task A_full_refresh_source_of_several_pages_is_published_whole_and_a_second_run_finds_it_all_unchanged()
    {
        await using var api = new PagedItemsApi(5);
        await api.StartAsync();
        await using var hub = await StartHubAsync("identity-pages");
        var integration = await CreateRestAsync(hub, "int-pages", api.BaseAddress, pageSize: 2, name: "paged full refresh");

        var first = await RunToEndAsync(hub, integration);
        var second = await RunToEndAsync(hub, integration);

        Assert.Equal((5, 5, 0), (first.Progress.RecordsRead, first.Progress.RecordsPublished, first.Progress.RecordsUnchanged));
        Assert.Equal((5, 0, 5), (second.Progress.RecordsRead, second.Progress.RecordsPublished, second.Progress.RecordsUnchanged));
        Assert.Equal(["1", "2", "3", "4", "5"], (await hub.EventsAsync(Tenant, integration.Id)).Select(e => e.Key));
    }

    [Fact]
    public async Task A_full_refresh_read_interrupted_after_a_published_page_finishes_with_every_record_once()
    {
        await using var api = new PagedItemsApi(5);
        await api.StartAsync();
        var database = SharedCosmosEmulator.NewDatabaseName("identity-crash");
        var settings = new Dictionary<string, string?> { ["Connectors:Network:AllowPrivateNetworks"] = "true" };
        CrashingSink? crashing = null;
        await using var first = await EngineInstance.StartAsync(database, s => s.AddSingleton<IEventSink>(sp => crashing = new CrashingSink(sp.GetRequiredService<CosmosEventLog>()) { CrashAfterBatch = 2 }), settings);
        var integration = await CreateRestAsync(first, "int-crash", api.BaseAddress, pageSize: 2, name: "paged full refresh");
        var run = await first.Launcher.StartSyncAsync(integration, default);

        await Assert.ThrowsAsync<ProcessKilledException>(() => first.DriveAsync(Tenant, run.Id)); // page 2 published, not committed
        await using var second = await EngineInstance.StartAsync(database, settings: settings);
        await second.DriveAsync(Tenant, run.Id);

        var done = (await second.Runs.GetAsync(Tenant, run.Id, default))!;
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal((5, 5, 0), (done.Progress.RecordsRead, done.Progress.RecordsPublished, done.Progress.RecordsUnchanged));
        Assert.Equal(["1", "2", "3", "4", "5"], (await second.EventsAsync(Tenant, integration.Id)).Select(e => e.Key));
        Assert.Equal(4, crashing!.Published.Count);
    }

    [Fact]
    public async Task Records_shifted_across_pages_upstream_are_recognised_unchanged_and_only_the_new_record_is_published()
    {
        await using var api = new PagedItemsApi(9);
        await api.StartAsync();
        await using var hub = await StartHubAsync("identity-shift");
        var integration = await CreateRestAsync(hub, "int-shift", api.BaseAddress, pageSize: 2, name: "paged full refresh");

        var first = await RunToEndAsync(hub, integration);
        api.Ids = [100, .. Enumerable.Range(1, 9)]; // one record inserted at the top: every other record moves one place, half of them to the next page
        var inserted = await RunToEndAsync(hub, integration);
        api.Ids = [.. Enumerable.Range(3, 7)]; // three records gone from the top: the rest move up a page and a half
        var deleted = await RunToEndAsync(hub, integration);

        Assert.Equal((9, 9, 0), (first.Progress.RecordsRead, first.Progress.RecordsPublished, first.Progress.RecordsUnchanged));
        Assert.Equal((10, 1, 9), (inserted.Progress.RecordsRead, inserted.Progress.RecordsPublished, inserted.Progress.RecordsUnchanged));
        Assert.Equal((7, 0, 7), (deleted.Progress.RecordsRead, deleted.Progress.RecordsPublished, deleted.Progress.RecordsUnchanged));
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", "9", "100"], (await hub.EventsAsync(Tenant, integration.Id)).Select(e => e.Key));
    }

    [Fact]
    public async Task A_full_refresh_read_is_remembered_in_one_document_per_page_not_one_per_record()
    {
        await using var api = new PagedItemsApi(9);
        await api.StartAsync();
        await using var hub = await StartHubAsync("identity-cost");
        var integration = await CreateRestAsync(hub, "int-cost", api.BaseAddress, pageSize: 2, name: "paged full refresh");

        await RunToEndAsync(hub, integration);
        await RunToEndAsync(hub, integration);

        var ids = new List<string>();
        using var query = hub.Services.GetRequiredService<HubCosmos>().Container(RecordMemory.Container.Name).GetItemQueryIterator<JsonElement>(
            new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenant").WithParameter("@tenant", Tenant));
        while (query.HasMoreResults)
        {
            ids.AddRange((await query.ReadNextAsync()).Select(d => d.GetProperty("id").GetString()!));
        }

        Assert.Equal(Enumerable.Range(0, 5).Select(p => RecordMemory.PositionIdOf(integration.Id, "records", p)).Order(), ids.Order()); // 5 pages of 2 (the last has 1); run 2 overwrote run 1's
    }

    [Fact]
    public async Task Records_remembered_one_document_each_by_an_earlier_hub_are_still_recognised_unchanged()
    {
        await using var api = new PagedItemsApi(5);
        await api.StartAsync();
        await using var hub = await StartHubAsync("identity-upgrade");
        var integration = await CreateRestAsync(hub, "int-upgrade", api.BaseAddress, pageSize: 2, name: "paged full refresh");
        var published = Enumerable.Range(1, 5).Select(i => (Key: $"{i}", EventId: EventIds.For(integration.Id, "records", $"{i}", null, "upserted", JsonSerializer.SerializeToElement(new { id = $"{i}", v = i })))).ToList();
        await hub.Services.GetRequiredService<RecordMemory>().RememberAsync(Tenant, integration.Id, "records", "run-before-upgrade", published, default);
        var state = await hub.Integrations.GetStateAsync(Tenant, integration.Id, default);
        await hub.Integrations.ReplaceStateAsync(state with { RecordMemoryFrom = "run-before-upgrade" }, default);

        var run = await RunToEndAsync(hub, integration);

        Assert.Equal((5, 0, 5), (run.Progress.RecordsRead, run.Progress.RecordsPublished, run.Progress.RecordsUnchanged));
    }

    [Fact]
    public async Task A_rate_limit_on_a_later_page_of_a_full_refresh_keeps_the_pages_before_it_published_once_and_the_run_finishes_after_the_wait()
    {
        await using var api = new PagedItemsApi(9) { RateLimitOnce = 3 }; // read ahead while page 2 is published
        await api.StartAsync();
        await using var hub = await StartHubAsync("identity-ratelimit");
        var integration = await CreateRestAsync(hub, "int-limited", api.BaseAddress, pageSize: 2, name: "paged full refresh");
        var run = await hub.Launcher.StartSyncAsync(integration, default);

        var waited = await hub.DriveAsync(Tenant, run.Id);
        var during = (await hub.Runs.GetAsync(Tenant, run.Id, default))!;
        var eventsDuring = (await hub.EventsAsync(Tenant, integration.Id)).Select(e => e.Key).ToList();
        await hub.DriveAsync(Tenant, run.Id); // after the wait the orchestration calls the page activity again
        var done = (await hub.Runs.GetAsync(Tenant, run.Id, default))!;

        Assert.Equal(StepResultKind.Wait, waited.Kind);
        Assert.Equal((2, 4L), (during.Progress.Pages, during.Progress.RecordsPublished));
        Assert.Equal(["1", "2", "3", "4"], eventsDuring);
        Assert.Equal((RunStatus.Succeeded, 9L, 0L), (done.Status, done.Progress.RecordsPublished, done.Progress.RecordsUnchanged));
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", "9"], (await hub.EventsAsync(Tenant, integration.Id)).Select(e => e.Key));
    }

    [Fact]
    public void Event_ids_cover_content_and_ignore_member_order_spacing_and_escapes()
    {
        static JsonElement J(string text) => JsonDocument.Parse(text).RootElement;
        var id = EventIds.For("int-1", "s", "f1", null, "upserted", J("""{"a":1,"b":"é"}"""));

        Assert.Equal(id, EventIds.For("int-1", "s", "f1", null, "upserted", J("""{ "b" : "\u00e9", "a" : 1 }""")));
        Assert.NotEqual(id, EventIds.For("int-1", "s", "f1", null, "upserted", J("""{"a":2,"b":"é"}""")));
        Assert.NotEqual(id, EventIds.For("int-1", "s", "f1", null, "deleted", J("""{"a":1,"b":"é"}""")));
        Assert.NotEqual(id, EventIds.For("int-1", "s", "f1", "v2", "upserted", J("""{"a":1,"b":"é"}""")));
        Assert.NotEqual(id, EventIds.For("int-1", "s", "f2", null, "upserted", J("""{"a":1,"b":"é"}""")));
        Assert.NotEqual(id, EventIds.For("int-2", "s", "f1", null, "upserted", J("""{"a":1,"b":"é"}""")));
        Assert.Matches("^[0-9a-f]{32}$", id);
        var documented = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"int-1\ns\nf1\n\nupserted\n{EventIds.DigestOf(J("""{"b":"é","a":1}"""))}"));
        Assert.Equal(Convert.ToHexStringLower(documented.AsSpan(0, 16)), id); // the rule the README documents, ids stable across releases
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("""{"a":1,"b":"\u00E9"}"""u8)), EventIds.DigestOf(J("""{"b":"é","a":1}""")));
    }

    [Theory]
    [InlineData("""{"z":{"y":[1,2.50,{"b":null,"a":true}],"x":"q\"uote\\back\nline"},"A":-0.0,"_":1e10}""", "f8d4edc76ddc2408866296c9089100450160fb7e1bd5fb34188a26a2bbb24adf")]
    [InlineData("""{"dup":1,"dup":2,"a":"x"}""", "2127f885d0c91a720352c89c6d15f41b303442ac8fb189fe22ffbd5640683e02")]
    [InlineData("""{"\u00e9":1,"e":2,"\uE000":3,"\uD83D\uDE00":4,"E":5}""", "7458d79b8abd1411b36bd7ae2ad1a517a584801078b29ada8683940e1dcd19a0")]
    [InlineData("""{"a\\b":1,"a":2,"ab":3}""", "46c5ddf06b6e277acf978dd1904d17d0094fdd6a5d838c1d4958fde14f6ac9eb")]
    [InlineData("""[{"b":1,"a":2},"s",3,false]""", "01826345c4071b982dc7de91f0e53d59650300756c4ef787dc268a09f1b8f9c1")]
    [InlineData("""{"<a>":1,"a&b":"x+y<\/z>","'q'":"'"}""", "806a023fcba3bf13c683f01c95dcb8c251a772b40dd6845f7d55ce805efd9a0c")]
    public void Data_digests_stay_what_earlier_releases_computed_so_remembered_event_ids_still_match(string json, string digest) =>
        Assert.Equal(digest, EventIds.DigestOf(JsonDocument.Parse(json).RootElement)); // digests of the LINQ-sorted canonical writer before 2026-11-29: duplicates in order, escapes, non-ASCII and HTML-sensitive names

    // Records {"id": "<n>", "v": n} for Ids in order (1..total at first), paged with page / per_page.
    private sealed class PagedItemsApi(int total) : WireMockDouble
    {
        public IReadOnlyList<int> Ids { get; set; } = [.. Enumerable.Range(1, total)];

        /// <summary>A page answered once with 429 Retry-After: 1 (then served again); null: none.</summary>
        public int? RateLimitOnce { get; set; }

        protected override void Map(WireMockServer server) => Route("/items", ["GET"], request =>
        {
            var query = QueryOf(request);
            var page = IntParam(query, "page") ?? 1;
            if (page == RateLimitOnce)
            {
                RateLimitOnce = null;
                return Json(new { message = "slow down" }, 429, ("Retry-After", "1"));
            }

            var perPage = IntParam(query, "per_page") ?? 30;
            var ids = Ids;
            return Json(ids.Skip((page - 1) * perPage).Take(perPage).Select(i => new { id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), v = i }).ToList());
        });
    }

    private sealed class ItemsApi : WireMockDouble
    {
        public string Body { get; set; } = "[]";

        protected override void Map(WireMockServer server) => Route("/items", ["GET"], _ => Text(200, Body, "application/json"));
    }
}
