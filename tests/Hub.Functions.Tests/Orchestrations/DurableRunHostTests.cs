using System.Diagnostics;
using System.Net;
using System.Text.Json;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Cosmos;
using Xunit.Abstractions;

namespace IntegrationHub.Functions.Tests.Orchestrations;

/// <summary>
/// Runs as Durable Functions orchestrations on the real Functions host (Azurite, Cosmos emulator): a worker killed
/// with SIGKILL, or the whole host killed and started again, mid-sync, and the run still publishes every event exactly
/// once with contiguous sequence ids; two hosts on one task hub run each schedule slot and each start once. Each test
/// starts its own host(s) on one database and task hub.
/// </summary>
public sealed class DurableRunHostTests(ITestOutputHelper output)
{
    private const string Tenant = "durable";

    [Fact]
    public async Task A_worker_killed_after_page_3_of_10_is_replaced_and_the_run_publishes_every_event_exactly_once()
    {
        await using var hub = await HubHost.StartAsync(Settings());
        var runId = await StartSyncAsync(hub, "sample-kill-worker");
        await WhenAsync(hub, runId, r => r.Progress.Pages >= 3, "page 3 to be acknowledged and committed");

        var killed = hub.KillWorker();
        var watch = Stopwatch.StartNew();
        var pagesAtKill = (await RunAsync(hub, runId)).Progress.Pages;
        await WhenAsync(hub, runId, r => r.Progress.Pages > pagesAtKill || r.IsTerminal, "the run to move again", TimeSpan.FromSeconds(120));
        var resumedAfter = watch.Elapsed;
        var done = await WhenAsync(hub, runId, r => r.IsTerminal, "the run to end", TimeSpan.FromSeconds(180));

        output.WriteLine($"worker {string.Join(",", killed)} killed at page {pagesAtKill}; the run moved again {resumedAfter.TotalSeconds:0.0} s later");
        Assert.NotEmpty(killed);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal((10, 10_000), (done.Progress.Pages, done.Progress.RecordsPublished)); // a page the killed attempt committed or published is counted once
        await AssertExactlyOnceAsync(hub, "sample-kill-worker");
    }

    [Fact]
    public async Task The_host_and_worker_killed_mid_sync_and_started_again_finish_the_run_exactly_once()
    {
        var settings = Settings();
        string runId;
        long pagesAtKill;
        await using (var first = await HubHost.StartAsync(settings))
        {
            runId = await StartSyncAsync(first, "sample-kill-host");
            pagesAtKill = (await WhenAsync(first, runId, r => r.Progress.Pages >= 3, "page 3 to be committed")).Progress.Pages;
            first.Process.Kill(); // SIGKILL to host and worker: nothing shuts down
        }

        await using var second = await HubHost.StartAsync(settings);
        var watch = Stopwatch.StartNew();
        await WhenAsync(second, runId, r => r.Progress.Pages > pagesAtKill || r.IsTerminal, "the run to move again", TimeSpan.FromSeconds(180));
        var resumedAfter = watch.Elapsed;
        var done = await WhenAsync(second, runId, r => r.IsTerminal, "the run to end", TimeSpan.FromSeconds(180));

        output.WriteLine($"host killed at page {pagesAtKill}; the new host took {second.StartTime.TotalSeconds:0.0} s to start and the run moved again {resumedAfter.TotalSeconds:0.0} s after that");
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal((10, 10_000), (done.Progress.Pages, done.Progress.RecordsPublished));
        await AssertExactlyOnceAsync(second, "sample-kill-host");
    }

    [Fact]
    public async Task A_second_start_while_the_sync_runs_is_409_naming_it_and_cancel_stops_it()
    {
        await using var hub = await HubHost.StartAsync(Settings());
        var runId = await StartSyncAsync(hub, "sample-cancel", count: 500_000); // 500 pages: since the sync's speed-up 10 could end before the second start
        await WhenAsync(hub, runId, r => r.Progress.Pages >= 1, "a page");
        using var client = hub.ClientWithKey(await KeyAsync(hub));

        using var again = await client.PostAsync(new Uri("api/v1/integrations/sample-cancel/run", UriKind.Relative), null);
        var problem = await again.Content.ReadAsStringAsync();
        using var cancel = await client.PostAsync(new Uri($"api/v1/runs/{runId}/cancel", UriKind.Relative), null);
        var done = await WhenAsync(hub, runId, r => r.IsTerminal, "the run to end", TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains(runId, problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(RunStatus.Cancelled, done.Status);
        Assert.True(done.Progress.Pages < 500, $"cancelled only after {done.Progress.Pages} pages");
        var state = await hub.Stores.GetRequiredService<IntegrationStore>().GetStateAsync(Tenant, "sample-cancel", default);
        Assert.Equal(done.Progress.RecordsPublished + 1, state.NextSequenceId); // the cursor never passed an unpublished page
    }

    [Fact]
    public async Task A_schedule_slot_fired_twice_starts_one_run_and_one_orchestration()
    {
        await using var hub = await HubHost.StartAsync(Settings());
        await KeyAsync(hub);
        await hub.Stores.GetRequiredService<IntegrationStore>().CreateAsync(
            new Integration
            {
                Id = "sample-scheduled",
                TenantId = Tenant,
                Name = "scheduled",
                ConnectorId = "sample",
                Stream = "events",
                Schedule = "0 * * * * *",
                Configuration = JsonSerializer.SerializeToElement(new { count = 50, pageSize = 10 }),
                CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-3),
                UpdatedAt = DateTimeOffset.UtcNow.AddMinutes(-3),
            },
            default);

        await Task.WhenAll(hub.FireTimerAsync("ScheduleSyncs"), hub.FireTimerAsync("ScheduleSyncs"));
        await hub.FireTimerAsync("ScheduleSyncs");
        await Task.Delay(TimeSpan.FromSeconds(5));
        var runs = hub.Stores.GetRequiredService<RunStore>();
        var page = await runs.ListAsync(Tenant, "sample-scheduled", null, 10, null, default);
        var run = Assert.Single(page.Items);
        var done = await WhenAsync(hub, run.Id, r => r.IsTerminal, "the scheduled run to end");

        Assert.Equal("schedule", run.Trigger);
        Assert.StartsWith("sched-", run.Id, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(50, done.Progress.RecordsPublished);
        Assert.Single((await runs.ListAsync(Tenant, "sample-scheduled", null, 10, null, default)).Items);
    }

    [Fact]
    public async Task Two_hosts_on_one_task_hub_start_one_run_per_schedule_slot_and_per_start_and_publish_nothing_twice()
    {
        // Two Functions hosts (each with its worker) sharing the Azurite task hub and the Cosmos database, as two
        // instances of a scaled-out Function App: either may run any orchestration's or activity's work item.
        var settings = Settings();
        var hosts = await Task.WhenAll(HubHost.StartAsync(settings), HubHost.StartAsync(settings));
        await using var a = hosts[0];
        await using var b = hosts[1];
        var key = await KeyAsync(a);
        var integrations = a.Stores.GetRequiredService<IntegrationStore>();
        await integrations.CreateAsync(
            new Integration
            {
                Id = "sample-twin-scheduled",
                TenantId = Tenant,
                Name = "scheduled on two hosts",
                ConnectorId = "sample",
                Stream = "events",
                Schedule = "0 * * * * *",
                Configuration = JsonSerializer.SerializeToElement(new { count = 3_000, pageSize = 300 }),
                CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-3),
                UpdatedAt = DateTimeOffset.UtcNow.AddMinutes(-3),
            },
            default);
        await integrations.CreateAsync(
            new Integration
            {
                Id = "sample-twin-manual",
                TenantId = Tenant,
                Name = "started on two hosts",
                ConnectorId = "sample",
                Stream = "events",
                Configuration = JsonSerializer.SerializeToElement(new { count = 10_000, pageSize = 1_000 }),
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            default);

        // The same schedule slot fired on both hosts, twice each, and the same manual start sent to both at once.
        await Task.WhenAll(a.FireTimerAsync("ScheduleSyncs"), b.FireTimerAsync("ScheduleSyncs"), a.FireTimerAsync("ScheduleSyncs"), b.FireTimerAsync("ScheduleSyncs"));
        using var clientA = a.ClientWithKey(key);
        using var clientB = b.ClientWithKey(key);
        var starts = await Task.WhenAll(
            clientA.PostAsync(new Uri("api/v1/integrations/sample-twin-manual/run", UriKind.Relative), null),
            clientB.PostAsync(new Uri("api/v1/integrations/sample-twin-manual/run", UriKind.Relative), null));
        var codes = starts.Select(r => r.StatusCode).Order().ToList();
        var manualRunId = JsonDocument.Parse(await starts.Single(r => r.StatusCode == HttpStatusCode.Accepted).Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var conflict = await starts.Single(r => r.StatusCode != HttpStatusCode.Accepted).Content.ReadAsStringAsync();
        foreach (var start in starts)
        {
            start.Dispose();
        }

        var runs = a.Stores.GetRequiredService<RunStore>();
        await Eventually.TrueAsync(async () => (await runs.ListAsync(Tenant, "sample-twin-scheduled", null, 10, null, default)).Items.Count > 0, "the scheduled run", TimeSpan.FromSeconds(60));
        var scheduled = Assert.Single((await runs.ListAsync(Tenant, "sample-twin-scheduled", null, 10, null, default)).Items);
        var scheduledDone = await WhenAsync(a, scheduled.Id, r => r.IsTerminal, "the scheduled run to end", TimeSpan.FromSeconds(180));
        var manualDone = await WhenAsync(a, manualRunId, r => r.IsTerminal, "the manual run to end", TimeSpan.FromSeconds(180));

        static int Pages(HubHost host) => host.Logs.Lines.Count(l => l.Contains("Executed 'Functions.SyncPage'", StringComparison.Ordinal));
        output.WriteLine($"hosts started in {a.StartTime.TotalSeconds:0.0} s and {b.StartTime.TotalSeconds:0.0} s; SyncPage activities run by host A: {Pages(a)}, by host B: {Pages(b)}");
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], codes);
        Assert.Contains(manualRunId, conflict, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Succeeded, scheduledDone.Status);
        Assert.Equal(RunStatus.Succeeded, manualDone.Status);
        Assert.Single((await runs.ListAsync(Tenant, "sample-twin-scheduled", null, 10, null, default)).Items);
        Assert.Single((await runs.ListAsync(Tenant, "sample-twin-manual", null, 10, null, default)).Items);
        Assert.Equal((3_000, 10_000), (scheduledDone.Progress.RecordsPublished, manualDone.Progress.RecordsPublished));
        await AssertExactlyOnceAsync(a, "sample-twin-scheduled", 3_000);
        await AssertExactlyOnceAsync(a, "sample-twin-manual", 10_000);
    }

    // One database and task hub for every host a test starts; 10 pages of 1,000 records (~1 s each into the event log).
    private static Dictionary<string, string?> Settings() => new()
    {
        ["Cosmos:Database"] = SharedCosmosEmulator.NewDatabaseName("durable"),
        ["DurableTask:HubName"] = $"d{Guid.NewGuid():N}"[..20],
    };

    private static readonly Dictionary<HubHost, string> Keys = [];

    private static async Task<string> KeyAsync(HubHost hub)
    {
        if (!Keys.TryGetValue(hub, out var key))
        {
            (_, key) = await hub.TenantAsync(Tenant);
            Keys[hub] = key;
        }

        return key;
    }

    private static async Task<string> StartSyncAsync(HubHost hub, string integrationId, long count = 10_000)
    {
        using var client = hub.ClientWithKey(await KeyAsync(hub));
        await hub.Stores.GetRequiredService<IntegrationStore>().CreateAsync(
            new Integration
            {
                Id = integrationId,
                TenantId = Tenant,
                Name = integrationId,
                ConnectorId = "sample",
                Stream = "events",
                Configuration = JsonSerializer.SerializeToElement(new { count, pageSize = 1_000 }),
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            default);
        using var started = await client.PostAsync(new Uri($"api/v1/integrations/{integrationId}/run", UriKind.Relative), null);
        var body = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<Run> RunAsync(HubHost hub, string runId) => (await hub.Stores.GetRequiredService<RunStore>().GetAsync(Tenant, runId, default))!;

    private static async Task<Run> WhenAsync(HubHost hub, string runId, Func<Run, bool> condition, string what, TimeSpan? timeout = null)
    {
        Run run = null!;
        await Eventually.TrueAsync(async () => condition(run = await RunAsync(hub, runId)), what, timeout ?? TimeSpan.FromSeconds(90));
        return run;
    }

    private static async Task AssertExactlyOnceAsync(HubHost hub, string integrationId, int count = 10_000)
    {
        var log = hub.Stores.GetRequiredService<CosmosEventLog>();
        var events = new List<LoggedEvent>();
        string? token = null;
        do
        {
            var page = await log.ListAsync(Tenant, integrationId, null, 1000, token, default);
            events.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(count, events.Count);
        Assert.Equal(count, events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), events.Select(e => e.SequenceId).Order());
        var state = await hub.Stores.GetRequiredService<IntegrationStore>().GetStateAsync(Tenant, integrationId, default);
        Assert.Equal(count + 1, state.NextSequenceId);
        Assert.Null(state.ActiveRunId);
    }
}
