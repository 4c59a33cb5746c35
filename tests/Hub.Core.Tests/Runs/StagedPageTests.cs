using System.Globalization;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Server;
using static IntegrationHub.Core.Tests.Runs.FullRefreshRest;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>
/// A page the embedded event log took as its own outbox entry (staged) whose state commit did not happen: counted once
/// when the run goes on, and not lost when the run ends (cancelled or failed) before it committed it.
/// </summary>
public sealed class StagedPageTests
{
    [Fact]
    public async Task A_page_counted_before_its_state_commit_failed_is_counted_once_when_the_run_goes_on()
    {
        var database = SharedCosmosEmulator.NewDatabaseName("staged-count");
        await using var hub = await EngineInstance.StartAsync(database, s => s.AddSingleton<IEventSink>(sp => new CrashingOutboxSink(sp.GetRequiredService<CosmosEventLog>()) { AfterPage = 3, Then = SpoilCommit(sp.GetRequiredService<IntegrationStore>()) }));
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-spoiled", count: 250, pageSize: 50);
        var run = await hub.Launcher.StartSyncAsync(integration, default);

        var interrupted = await hub.DriveAsync(Tenant, run.Id); // the 3rd page's state commit meets a conflict: the activity asks to be retried
        var between = (await hub.Runs.GetAsync(Tenant, run.Id, default))!;
        await hub.DriveAsync(Tenant, run.Id);

        var done = (await hub.Runs.GetAsync(Tenant, run.Id, default))!;
        var events = await hub.EventsAsync(Tenant, integration.Id);
        Assert.Equal(StepResultKind.Retry, interrupted.Kind);
        Assert.Equal((3, 150L), (between.Progress.Pages, between.Progress.RecordsPublished)); // counted with the page, before the commit
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal((5, 250L, 250L), (done.Progress.Pages, done.Progress.RecordsRead, done.Progress.RecordsPublished));
        Assert.Equal(Enumerable.Range(1, 250).Select(i => (long)i), events.Select(e => e.SequenceId));
    }

    [Fact]
    public async Task A_page_a_cancelled_run_published_but_did_not_commit_is_not_overwritten_by_the_next_run()
    {
        await using var api = new ItemsApi { Items = Numbered(1, 4) };
        await api.StartAsync();
        var database = SharedCosmosEmulator.NewDatabaseName("staged-cancel");
        var settings = new Dictionary<string, string?> { ["Connectors:Network:AllowPrivateNetworks"] = "true" };
        await using var hub = await EngineInstance.StartAsync(database, settings: settings);
        await using var spoiled = await EngineInstance.StartAsync(database, s => s.AddSingleton<IEventSink>(sp => new CrashingOutboxSink(sp.GetRequiredService<CosmosEventLog>()) { AfterPage = 1, Then = SpoilCommit(sp.GetRequiredService<IntegrationStore>()) }), settings);
        var integration = await CreateRestAsync(hub, "int-cancelled", api.BaseAddress, pageSize: 2);
        await RunToEndAsync(hub, integration);

        api.Items = [("1", 10), ("2", 20), ("3", 3), ("4", 4)];
        var cancelled = await spoiled.Launcher.StartSyncAsync(integration, default);
        var interrupted = await spoiled.DriveAsync(Tenant, cancelled.Id); // page 1 (1 and 2 changed) is in the log, its memory written, not committed
        await hub.Steps.CancelAsync(new RunRef(Tenant, cancelled.Id), default); // cancelled while it waits for the retry
        api.Items = [("1", 10), ("2", 20), ("3", 30), ("4", 4)];
        var next = await RunToEndAsync(hub, integration);

        var latest = (await hub.EventsAsync(Tenant, integration.Id)).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Event.Data.GetProperty("v").GetInt32());
        Assert.Equal(StepResultKind.Retry, interrupted.Kind);
        Assert.Equal(RunStatus.Cancelled, (await hub.Runs.GetAsync(Tenant, cancelled.Id, default))!.Status);
        Assert.Equal((1L, 3L), (next.Progress.RecordsPublished, next.Progress.RecordsUnchanged));
        Assert.Equal(new Dictionary<string, int> { ["1"] = 10, ["2"] = 20, ["3"] = 30, ["4"] = 4 }, latest); // a consumer of the log has every change
    }

    [Fact]
    public async Task A_page_a_run_published_before_it_was_killed_and_then_cancelled_is_kept_and_the_next_run_goes_on_after_it()
    {
        await using var api = new ItemsApi { Items = Numbered(1, 4) };
        await api.StartAsync();
        var database = SharedCosmosEmulator.NewDatabaseName("staged-killed");
        var settings = new Dictionary<string, string?> { ["Connectors:Network:AllowPrivateNetworks"] = "true" };
        await using var hub = await EngineInstance.StartAsync(database, settings: settings);
        await using var killed = await EngineInstance.StartAsync(database, s => s.AddSingleton<IEventSink>(sp => new CrashingOutboxSink(sp.GetRequiredService<CosmosEventLog>()) { AfterPage = 1 }), settings);
        var integration = await CreateRestAsync(hub, "int-killed", api.BaseAddress, pageSize: 2);
        await RunToEndAsync(hub, integration);

        api.Items = [("1", 10), ("2", 20), ("3", 3), ("4", 4)];
        var cancelled = await killed.Launcher.StartSyncAsync(integration, default);
        await Assert.ThrowsAsync<ProcessKilledException>(() => killed.DriveAsync(Tenant, cancelled.Id)); // page 1 in the log; no memory, no count, no commit
        await hub.Steps.CancelAsync(new RunRef(Tenant, cancelled.Id), default);
        api.Items = [("1", 10), ("2", 20), ("3", 30), ("4", 4)];
        var next = await RunToEndAsync(hub, integration);

        var events = await hub.EventsAsync(Tenant, integration.Id);
        var latest = events.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Event.Data.GetProperty("v").GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["1"] = 10, ["2"] = 20, ["3"] = 30, ["4"] = 4 }, latest);
        Assert.Equal(events.Count, events.Select(e => e.SequenceId).Distinct().Count());
        Assert.Equal((1L, 3L), (next.Progress.RecordsPublished, next.Progress.RecordsUnchanged)); // 1 and 2 are what the log has: unchanged
    }

    [Fact]
    public async Task A_page_a_cancelled_run_published_through_the_outbox_but_did_not_commit_is_not_overwritten_by_the_next_run()
    {
        await using var api = new ItemsApi { Items = Numbered(1, 4) };
        await api.StartAsync();
        var database = SharedCosmosEmulator.NewDatabaseName("outbox-cancel");
        var settings = new Dictionary<string, string?> { ["Connectors:Network:AllowPrivateNetworks"] = "true" };
        await using var hub = await EngineInstance.StartAsync(database, settings: settings);
        await using var spoiled = await EngineInstance.StartAsync(database, s => s.AddSingleton<IEventSink>(sp => new CommitSpoilingOutboxPathSink(sp.GetRequiredService<CosmosEventLog>(), sp.GetRequiredService<IntegrationStore>()) { SpoilAfterBatch = 1 }), settings);
        var integration = await CreateRestAsync(hub, "int-outbox-cancelled", api.BaseAddress, pageSize: 2);
        await RunToEndAsync(hub, integration);

        api.Items = [("1", 10), ("2", 20), ("3", 3), ("4", 4)];
        var cancelled = await spoiled.Launcher.StartSyncAsync(integration, default);
        var interrupted = await spoiled.DriveAsync(Tenant, cancelled.Id); // page 1 in the outbox and published, its memory written, not committed
        await hub.Steps.CancelAsync(new RunRef(Tenant, cancelled.Id), default);
        api.Items = [("1", 10), ("2", 20), ("3", 30), ("4", 4)];
        var next = await RunToEndAsync(hub, integration);

        var latest = (await hub.EventsAsync(Tenant, integration.Id)).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Event.Data.GetProperty("v").GetInt32());
        Assert.Equal(StepResultKind.Retry, interrupted.Kind);
        Assert.Equal((1L, 3L), (next.Progress.RecordsPublished, next.Progress.RecordsUnchanged));
        Assert.Equal(new Dictionary<string, int> { ["1"] = 10, ["2"] = 20, ["3"] = 30, ["4"] = 4 }, latest);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_instances_running_the_same_page_activities_at_once_publish_and_count_every_record_once(bool fullRefresh)
    {
        await using var api = new ItemsApi { Items = Numbered(1, 120) };
        await api.StartAsync();
        var database = SharedCosmosEmulator.NewDatabaseName("twice-at-once");
        var settings = new Dictionary<string, string?> { ["Connectors:Network:AllowPrivateNetworks"] = "true" };
        await using var one = await EngineInstance.StartAsync(database, settings: settings);
        await using var other = await EngineInstance.StartAsync(database, settings: settings);
        var integration = fullRefresh
            ? await CreateRestAsync(one, "int-twice-rest", api.BaseAddress, pageSize: 10)
            : await one.SampleIntegrationAsync(Tenant, "int-twice-sample", count: 120, pageSize: 10);
        var run = await one.Launcher.StartSyncAsync(integration, default);

        await Task.WhenAll(Task.Run(() => one.DriveAsync(Tenant, run.Id)), Task.Run(() => other.DriveAsync(Tenant, run.Id))); // Durable ran the activity twice
        for (var i = 0; i < 5 && (await one.Runs.GetAsync(Tenant, run.Id, default))!.Status != RunStatus.Succeeded; i++)
        {
            await one.DriveAsync(Tenant, run.Id); // the one that met a conflict retries
        }

        var done = (await one.Runs.GetAsync(Tenant, run.Id, default))!;
        var events = await one.EventsAsync(Tenant, integration.Id);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(Enumerable.Range(1, 120).Select(i => (long)i), events.Select(e => e.SequenceId));
        Assert.Equal(120, events.Select(e => e.Key).Distinct().Count());
        Assert.Equal((120L, 120L), (done.Progress.RecordsRead, done.Progress.RecordsPublished));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_full_refresh_killed_after_the_log_took_a_page_resumes_and_publishes_and_counts_every_record_once(int killedAt)
    {
        await using var api = new ItemsApi { Items = Numbered(1, 9) };
        await api.StartAsync();
        var database = SharedCosmosEmulator.NewDatabaseName("refresh-killed");
        var settings = new Dictionary<string, string?> { ["Connectors:Network:AllowPrivateNetworks"] = "true" };
        await using var killed = await EngineInstance.StartAsync(database, s => s.AddSingleton<IEventSink>(sp => new CrashingOutboxSink(sp.GetRequiredService<CosmosEventLog>()) { AfterPage = killedAt }), settings);
        await using var hub = await EngineInstance.StartAsync(database, settings: settings);
        var integration = await CreateRestAsync(hub, "int-refresh-killed", api.BaseAddress, pageSize: 2);
        var run = await hub.Launcher.StartSyncAsync(integration, default);

        await Assert.ThrowsAsync<ProcessKilledException>(() => killed.DriveAsync(Tenant, run.Id));
        api.Items = [("0", 0), .. Numbered(1, 9)]; // a record inserted at the top meanwhile: every page of the read shifts by one
        await hub.DriveAsync(Tenant, run.Id);

        var done = (await hub.Runs.GetAsync(Tenant, run.Id, default))!;
        var events = await hub.EventsAsync(Tenant, integration.Id);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.SequenceId)); // no sequence id twice, none skipped
        Assert.Equal(["0", .. Enumerable.Range(1, 9).Select(i => i.ToString(CultureInfo.InvariantCulture))], events.Select(e => e.Key).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count()); // nothing published twice
        Assert.Equal(done.Progress.RecordsPublished, events.Count); // and what was published counted once
    }

    [Fact]
    public async Task A_run_mixing_pages_over_one_document_with_small_ones_killed_after_the_big_page_was_published_lists_every_event_once()
    {
        var pad = new string('x', 600_000);
        await using var api = new ItemsApi { Items = Numbered(1, 6), Padding = i => i is 3 or 4 ? pad : null }; // page 2: ~1.2 MB, the outbox path
        await api.StartAsync();
        var database = SharedCosmosEmulator.NewDatabaseName("big-killed");
        var settings = new Dictionary<string, string?> { ["Connectors:Network:AllowPrivateNetworks"] = "true" };
        await using var killed = await EngineInstance.StartAsync(database, s => s.AddSingleton<IEventSink>(sp => new KilledAfterBatchSink(sp.GetRequiredService<CosmosEventLog>()) { KillAfterBatch = 1 }), settings);
        await using var hub = await EngineInstance.StartAsync(database, settings: settings);
        var integration = await CreateRestAsync(hub, "int-big-killed", api.BaseAddress, pageSize: 2);
        var run = await hub.Launcher.StartSyncAsync(integration, default);

        await Assert.ThrowsAsync<ProcessKilledException>(() => killed.DriveAsync(Tenant, run.Id)); // the big page is in the log, not committed
        await hub.DriveAsync(Tenant, run.Id);

        var done = (await hub.Runs.GetAsync(Tenant, run.Id, default))!;
        var listed = await hub.EventsAsync(Tenant, integration.Id);
        var byOne = new List<LoggedEvent>();
        string? token = null;
        do
        {
            var page = await hub.EventLog.ListAsync(Tenant, null, run.Id, 1, token, default);
            byOne.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal((6L, 6L, 3), (done.Progress.RecordsRead, done.Progress.RecordsPublished, done.Progress.Pages));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), listed.Select(e => e.SequenceId));
        Assert.Equal(listed.Select(e => e.Id), byOne.Select(e => e.Id)); // one event per request, by run: the same, once each
    }

    [Fact]
    public async Task A_record_id_with_a_control_character_is_published_under_a_subject_the_cloudevents_sdk_accepts_and_the_read_goes_on()
    {
        await using var api = new ItemsApi { Items = [("1", 1), ("bad\u0007id", 2), ("3", 3), ("4", 4)] }; // U+0007: not in a CloudEvents string
        await api.StartAsync();
        await using var hub = await StartHubAsync("staged-refused");
        var integration = await CreateRestAsync(hub, "int-refused", api.BaseAddress, pageSize: 2);

        var done = await RunToEndAsync(hub, integration); // the SDK refused the event; keeping it as a dead letter threw too: every attempt failed

        var events = await hub.EventsAsync(Tenant, integration.Id);
        Assert.Equal((4L, 4L, 0L), (done.Progress.RecordsRead, done.Progress.RecordsPublished, done.Progress.RecordsDeadLettered));
        Assert.Equal(["1", "bad%07id", "3", "4"], events.Select(e => e.Event.Subject));
        Assert.Equal(["1", "bad\u0007id", "3", "4"], events.Select(e => e.Key)); // the key is the record id as the source gave it
    }

    private static List<(string Id, int V)> Numbered(int from, int to) => [.. Enumerable.Range(from, to - from + 1).Select(i => (i.ToString(CultureInfo.InvariantCulture), i))];

    // Records {"id": Id, "v": V} in order, paged with page / per_page.
    private sealed class ItemsApi : WireMockDouble
    {
        public IReadOnlyList<(string Id, int V)> Items { get; set; } = [];

        public Func<int, string?> Padding { get; set; } = _ => null;

        protected override void Map(WireMockServer server) => Route("/items", ["GET"], request =>
        {
            var query = QueryOf(request);
            var page = IntParam(query, "page") ?? 1;
            var perPage = IntParam(query, "per_page") ?? 30;
            return Json(Items.Skip((page - 1) * perPage).Take(perPage).Select(i => new { id = i.Id, v = i.V, pad = Padding(i.V) }).ToList());
        });
    }

    // Writes the integration's state unchanged (a new ETag) right after the log took a page: the page is published, its
    // memory and progress written, and its state commit meets a conflict, as when the commit fails after the counts.
    private static Func<OutboxPage, CancellationToken, Task> SpoilCommit(IntegrationStore integrations) => async (page, cancellationToken) =>
    {
        var state = await integrations.GetStateAsync(page.TenantId, page.Events[0].Event.IntegrationId!, cancellationToken);
        await integrations.ReplaceStateAsync(state, cancellationToken);
    };

    /// <summary>
    /// The real event log as a plain sink (so every page takes the outbox path, as a page over one document or Pulsar
    /// does) that, right after publishing the batch it was told to, writes the integration's state unchanged: the state
    /// commit of that page meets a conflict after its memory and progress were written.
    /// </summary>
    private sealed class CommitSpoilingOutboxPathSink(CosmosEventLog inner, IntegrationStore integrations) : IEventSink
    {
        private int _batches;

        public int SpoilAfterBatch { get; set; } = -1;

        public string Name => inner.Name;

        public async Task PublishAsync(EventBatch batch, CancellationToken cancellationToken)
        {
            await inner.PublishAsync(batch, cancellationToken);
            if (Interlocked.Increment(ref _batches) == SpoilAfterBatch)
            {
                var first = batch.Events[0].Event;
                var state = await integrations.GetStateAsync(first.TenantId, first.IntegrationId!, cancellationToken);
                await integrations.ReplaceStateAsync(state, cancellationToken);
            }
        }
    }

    /// <summary>The real event log as its own outbox, killed right after it published a batch through the outbox path (a page over one document).</summary>
    private sealed class KilledAfterBatchSink(CosmosEventLog inner) : IOutboxSink
    {
        private int _batches;

        public int KillAfterBatch { get; set; } = -1;

        public string Name => inner.Name;

        public Task PublishAsync(EventBatch batch, CancellationToken cancellationToken) => PublishWithReceiptAsync(batch, cancellationToken);

        public async Task<PublishReceipt> PublishWithReceiptAsync(EventBatch batch, CancellationToken cancellationToken)
        {
            var receipt = await inner.PublishWithReceiptAsync(batch, cancellationToken);
            return Interlocked.Increment(ref _batches) == KillAfterBatch ? throw new ProcessKilledException() : receipt;
        }

        public Task<OutboxPage?> PublishPageAsync(OutboxPage page, CancellationToken cancellationToken) => inner.PublishPageAsync(page, cancellationToken);

        public Task<OutboxPage?> GetPageAsync(string tenantId, string topic, string producerName, string runId, long firstSequenceId, CancellationToken cancellationToken) =>
            inner.GetPageAsync(tenantId, topic, producerName, runId, firstSequenceId, cancellationToken);
    }
}
