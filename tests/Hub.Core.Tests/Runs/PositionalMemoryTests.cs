using System.Globalization;
using IntegrationHub.Core.Runs;
using IntegrationHub.TestDoubles;
using WireMock.Server;
using static IntegrationHub.Core.Tests.Runs.FullRefreshRest;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>
/// The record memory by position (full-refresh reads of integrations without webhooks) at its edges: pages of more
/// than one position, a source that shrinks and grows back, a key twice in a read, and a read-ahead page that fails.
/// </summary>
public sealed class PositionalMemoryTests
{
    [Fact]
    public async Task Pages_of_several_positions_are_recognised_unchanged_after_records_are_inserted_and_deleted_upstream()
    {
        await using var api = new ItemsApi { Items = Numbered(1, 12_000) };
        await api.StartAsync();
        await using var hub = await StartHubAsync("positional-large");
        var integration = await CreateRestAsync(hub, "int-large", api.BaseAddress, pageSize: 10_000); // page 1: positions 0 and 1; page 2: position 2

        var first = await RunToEndAsync(hub, integration);
        api.Items = [("new", 0), .. Numbered(1, 12_000)]; // every record one place down, across the positions' bounds
        var inserted = await RunToEndAsync(hub, integration);
        api.Items = Numbered(4, 12_000); // four records gone from the top
        var deleted = await RunToEndAsync(hub, integration);

        Assert.Equal((12_000, 12_000, 0), (first.Progress.RecordsRead, first.Progress.RecordsPublished, first.Progress.RecordsUnchanged));
        Assert.Equal((12_001, 1, 12_000), (inserted.Progress.RecordsRead, inserted.Progress.RecordsPublished, inserted.Progress.RecordsUnchanged));
        Assert.Equal((11_997, 0, 11_997), (deleted.Progress.RecordsRead, deleted.Progress.RecordsPublished, deleted.Progress.RecordsUnchanged));
    }

    [Fact]
    public async Task A_source_that_shrinks_and_grows_back_publishes_the_records_past_the_shorter_read_again_under_the_same_ids()
    {
        await using var api = new ItemsApi { Items = Numbered(1, 9) };
        await api.StartAsync();
        await using var hub = await StartHubAsync("positional-shrink");
        var integration = await CreateRestAsync(hub, "int-shrink", api.BaseAddress, pageSize: 2);

        await RunToEndAsync(hub, integration);
        api.Items = Numbered(1, 4); // two pages: the positions after them are leftovers of the longer read
        var shrunk = await RunToEndAsync(hub, integration);
        api.Items = Numbered(1, 9);
        var grown = await RunToEndAsync(hub, integration);

        Assert.Equal((4, 0, 4), (shrunk.Progress.RecordsRead, shrunk.Progress.RecordsPublished, shrunk.Progress.RecordsUnchanged));
        Assert.Equal((9, 5, 4), (grown.Progress.RecordsRead, grown.Progress.RecordsPublished, grown.Progress.RecordsUnchanged));
        var events = await hub.EventsAsync(Tenant, integration.Id);
        Assert.Equal(9, events.Select(e => e.Id).Distinct().Count()); // 5..9 again, each under the id it had: consumers drop them by id
    }

    [Fact]
    public async Task A_record_changed_back_after_a_shorter_read_published_its_change_is_published_again_not_taken_for_unchanged()
    {
        await using var api = new ItemsApi { Items = [("1", 1), ("2", 1), ("3", 1), ("4", 1), ("5", 1)] };
        await api.StartAsync();
        await using var hub = await StartHubAsync("positional-flipflop");
        var integration = await CreateRestAsync(hub, "int-flipflop", api.BaseAddress, pageSize: 2);

        await RunToEndAsync(hub, integration);
        api.Items = [("5", 2), ("1", 1)]; // "5" changed (published at the top), the rest gone
        await RunToEndAsync(hub, integration);
        api.Items = [("1", 1), ("2", 1), ("3", 1), ("4", 1), ("5", 1)]; // "5" back to what the first read had, at its old place
        var back = await RunToEndAsync(hub, integration);

        var latestOfFive = (await hub.EventsAsync(Tenant, integration.Id)).Last(e => e.Key == "5");
        Assert.Equal(1, latestOfFive.Event.Data.GetProperty("v").GetInt32()); // a consumer keeping the latest per key has v 1 again
        Assert.Equal((5, 4, 1), (back.Progress.RecordsRead, back.Progress.RecordsPublished, back.Progress.RecordsUnchanged));
    }

    [Fact]
    public async Task A_key_listed_twice_with_different_content_on_different_pages_is_unchanged_when_read_again()
    {
        await using var api = new ItemsApi { Items = [("a", 1), ("b", 2), ("a", 3), ("c", 4)] };
        await api.StartAsync();
        await using var hub = await StartHubAsync("positional-twice");
        var integration = await CreateRestAsync(hub, "int-twice", api.BaseAddress, pageSize: 2);

        var first = await RunToEndAsync(hub, integration);
        var second = await RunToEndAsync(hub, integration);

        Assert.Equal((4, 4, 0), (first.Progress.RecordsRead, first.Progress.RecordsPublished, first.Progress.RecordsUnchanged));
        Assert.Equal((4, 0, 4), (second.Progress.RecordsRead, second.Progress.RecordsPublished, second.Progress.RecordsUnchanged));
        Assert.Equal(["1", "2", "3", "4"], (await hub.EventsAsync(Tenant, integration.Id)).Select(e => e.Event.Data.GetProperty("v").GetInt32().ToString(CultureInfo.InvariantCulture)).Order());
    }

    [Fact]
    public async Task A_read_ahead_page_that_fails_once_leaves_the_pages_before_it_published_once_and_the_retry_finishes_the_read()
    {
        await using var api = new ItemsApi { Items = Numbered(1, 9), Failing = 3 }; // requested ahead while page 2 is published
        await api.StartAsync();
        await using var hub = await StartHubAsync("positional-readahead");
        var integration = await CreateRestAsync(hub, "int-readahead", api.BaseAddress, pageSize: 2);
        var run = await hub.Launcher.StartSyncAsync(integration, default);

        var failed = await hub.DriveAsync(Tenant, run.Id);
        var during = (await hub.Runs.GetAsync(Tenant, run.Id, default))!;
        api.Failing = null;
        await hub.DriveAsync(Tenant, run.Id); // the orchestration calls the page activity again after the backoff
        var done = (await hub.Runs.GetAsync(Tenant, run.Id, default))!;

        Assert.Equal(StepResultKind.Retry, failed.Kind);
        Assert.Equal((2, 4L), (during.Progress.Pages, during.Progress.RecordsPublished));
        Assert.Equal((RunStatus.Succeeded, 9L, 9L, 0L), (done.Status, done.Progress.RecordsRead, done.Progress.RecordsPublished, done.Progress.RecordsUnchanged));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"{i}"), (await hub.EventsAsync(Tenant, integration.Id)).Select(e => e.Key));
    }

    private static List<(string Id, int V)> Numbered(int from, int to) => [.. Enumerable.Range(from, to - from + 1).Select(i => (i.ToString(CultureInfo.InvariantCulture), i))];

    // Records {"id": Id, "v": V} in order, paged with page / per_page; Failing: a page answered 500 (the connector's own retries included).
    private sealed class ItemsApi : WireMockDouble
    {
        public IReadOnlyList<(string Id, int V)> Items { get; set; } = [];

        public int? Failing { get; set; }

        protected override void Map(WireMockServer server) => Route("/items", ["GET"], request =>
        {
            var query = QueryOf(request);
            var page = IntParam(query, "page") ?? 1;
            if (page == Failing)
            {
                return Json(new { message = "try again" }, 500);
            }

            var perPage = IntParam(query, "per_page") ?? 30;
            return Json(Items.Skip((page - 1) * perPage).Take(perPage).Select(i => new { id = i.Id, v = i.V }).ToList());
        });
    }
}
