using System.Text.Json;
using IntegrationHub.Core.Runs;
using IntegrationHub.Core.Runs.Steps;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Events;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>
/// The run activities keep the exactly-once protocol when they run more than once (Durable runs an activity again
/// when its worker dies before reporting): a page acknowledged but not committed is republished with the same ids.
/// </summary>
public sealed class DurableRunTests
{
    private const string Tenant = "t1";

    [Fact]
    public async Task A_sync_killed_mid_read_resumes_on_another_instance_and_publishes_every_record_exactly_once()
    {
        var database = SharedCosmosEmulator.NewDatabaseName("crash");
        await using var first = await EngineInstance.StartAsync(database, s => s.AddSingleton<IEventSink>(sp => new CrashingSink(sp.GetRequiredService<CosmosEventLog>()) { CrashAfterBatch = 3 }));
        await using var second = await EngineInstance.StartAsync(database);
        var integration = await first.SampleIntegrationAsync(Tenant, "sample-crash", count: 250, pageSize: 50);
        var run = await first.Launcher.StartSyncAsync(integration, default);

        await Assert.ThrowsAsync<ProcessKilledException>(() => first.DriveAsync(Tenant, run.Id)); // dies after the 3rd page was acknowledged, before it was committed
        var afterCrash = await first.Runs.GetAsync(Tenant, run.Id, default);
        await second.DriveAsync(Tenant, run.Id); // Durable runs the activity again, here on another worker

        var done = await second.Runs.GetAsync(Tenant, run.Id, default);
        var events = await second.EventsAsync(Tenant, integration.Id);
        var state = await second.Integrations.GetStateAsync(Tenant, integration.Id, default);
        Assert.Equal(RunStatus.Running, afterCrash!.Status);
        Assert.Equal(2, afterCrash.Progress.Pages); // the 3rd page was published but not committed
        Assert.Equal(RunStatus.Succeeded, done!.Status);
        Assert.Equal(250, events.Count);
        Assert.Equal(250, events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 250).Select(i => (long)i), events.Select(e => e.SequenceId).Order());
        Assert.Equal(251, state.NextSequenceId);
        Assert.Equal(250, state.Cursor!.Value.GetProperty("position").GetInt64());
        Assert.Null(state.ActiveRunId);
        Assert.Equal(250, done.Progress.RecordsPublished);
    }

    [Fact]
    public async Task A_sync_killed_after_the_event_log_took_a_page_commits_that_page_on_resume_even_when_the_source_no_longer_returns_it()
    {
        var database = SharedCosmosEmulator.NewDatabaseName("staged");
        await using var first = await EngineInstance.StartAsync(database, s => s.AddSingleton<IEventSink>(sp => new CrashingOutboxSink(sp.GetRequiredService<CosmosEventLog>()) { AfterPage = 3 }));
        await using var second = await EngineInstance.StartAsync(database);
        var integration = await first.SampleIntegrationAsync(Tenant, "sample-staged", count: 250, pageSize: 50);
        var run = await first.Launcher.StartSyncAsync(integration, default);

        await Assert.ThrowsAsync<ProcessKilledException>(() => first.DriveAsync(Tenant, run.Id)); // dies after the log created the 3rd page, before the commit
        var afterCrash = await first.Runs.GetAsync(Tenant, run.Id, default);
        var stateAfterCrash = await first.Integrations.GetStateAsync(Tenant, integration.Id, default);
        var listedAfterCrash = await first.EventsAsync(Tenant, integration.Id);
        var outboxAfterCrash = await first.Services.GetRequiredService<OutboxStore>().GetAsync(Tenant, run.Id, default);
        var stored = await first.Integrations.GetAsync(Tenant, integration.Id, default);
        await first.Integrations.ReplaceAsync(stored! with { Configuration = JsonSerializer.SerializeToElement(new { count = 100, pageSize = 50 }) }, default); // the source lost its last 150 records meanwhile
        await second.DriveAsync(Tenant, run.Id);

        var done = await second.Runs.GetAsync(Tenant, run.Id, default);
        var events = await second.EventsAsync(Tenant, integration.Id);
        var state = await second.Integrations.GetStateAsync(Tenant, integration.Id, default);
        Assert.Equal(2, afterCrash!.Progress.Pages);
        Assert.Equal(101, stateAfterCrash.NextSequenceId);
        Assert.Equal(150, listedAfterCrash.Count); // the 3rd page is published: the log holds it
        Assert.Null(outboxAfterCrash); // and is its only copy: no outbox write for a page the log can hold
        Assert.Equal(RunStatus.Succeeded, done!.Status);
        Assert.Equal(Enumerable.Range(1, 150).Select(i => (long)i), events.Select(e => e.SequenceId).Order());
        Assert.Equal(150, events.Select(e => e.Id).Distinct().Count());
        Assert.Equal((150, 3), (done.Progress.RecordsPublished, done.Progress.Pages)); // what was published is counted once
        Assert.Equal(150, state.Cursor!.Value.GetProperty("position").GetInt64()); // and committed: the next run does not give its sequence ids to other events
        Assert.Equal(151, state.NextSequenceId);
    }

    [Fact]
    public async Task A_page_another_run_left_at_the_same_sequence_ids_is_replaced_by_the_new_run_and_not_committed()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("leftover"));
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-reused", count: 100, pageSize: 50);
        var data = JsonSerializer.SerializeToElement(new { stale = true });
        var leftover = new OutboundEvent(1, "stale-1", new CloudEvent
        {
            Id = EventIds.For(integration.Id, "events", "stale-1", null, "upserted", data),
            Source = $"/tenants/{Tenant}/integrations/{integration.Id}/streams/events",
            Type = "com.integrationhub.sample.events.upserted",
            Subject = "stale-1",
            TenantId = Tenant,
            IntegrationId = integration.Id,
            RunId = "run-of-an-earlier-integration-with-this-id",
            Data = data,
        });
        await hub.EventLog.PublishPageAsync(
            new OutboxPage
            {
                RunId = "run-of-an-earlier-integration-with-this-id",
                TenantId = Tenant,
                Topic = EventNaming.TopicForStream(Tenant, "sample", "events"),
                ProducerName = EventNaming.ProducerFor(Tenant, integration.Id, "events"),
                Events = [leftover],
                CursorAfter = JsonSerializer.SerializeToElement(new { position = 999 }),
                NextSequenceAfter = 2,
            },
            default);
        var run = await hub.Launcher.StartSyncAsync(integration, default);

        await hub.DriveAsync(Tenant, run.Id);

        var events = await hub.EventsAsync(Tenant, integration.Id);
        var state = await hub.Integrations.GetStateAsync(Tenant, integration.Id, default);
        Assert.Equal(100, events.Count);
        Assert.DoesNotContain(events, e => e.Key == "stale-1");
        Assert.Equal(100, state.Cursor!.Value.GetProperty("position").GetInt64());
        Assert.Equal(100, (await hub.Runs.GetAsync(Tenant, run.Id, default))!.Progress.RecordsPublished);
    }

    [Fact]
    public async Task A_run_killed_between_steps_resumes_at_the_next_step_without_publishing_again()
    {
        var database = SharedCosmosEmulator.NewDatabaseName("between");
        var crashOnce = new CrashOnceStep();
        await using var first = await EngineInstance.StartAsync(database, s => s.AddSingleton<IStepType>(crashOnce));
        await using var second = await EngineInstance.StartAsync(database, s => s.AddSingleton<IStepType>(crashOnce));
        var integration = await first.SampleIntegrationAsync(Tenant, "sample-steps", count: 120, pageSize: 40);
        var flow = new Flow
        {
            Id = "flow-between",
            TenantId = Tenant,
            Name = "read then crash",
            Steps =
            [
                new FlowStep { Name = "read", Type = "read", IntegrationId = integration.Id },
                new FlowStep { Name = "publish", Type = "publish" },
                new FlowStep { Name = "after", Type = CrashOnceStep.TypeName },
            ],
        };
        var run = await first.Launcher.StartFlowAsync(flow, default);

        await Assert.ThrowsAsync<ProcessKilledException>(() => first.DriveAsync(Tenant, run.Id)); // dies as the third step starts
        var afterCrash = await first.Runs.GetAsync(Tenant, run.Id, default);
        await second.DriveAsync(Tenant, run.Id);

        var done = await second.Runs.GetAsync(Tenant, run.Id, default);
        Assert.Equal(2, afterCrash!.CurrentStep); // read and publish were checkpointed as done
        Assert.Equal(2, afterCrash!.CurrentStep); // read and publish were checkpointed as done
        Assert.Equal(RunStatus.Succeeded, done!.Status);
        Assert.Equal(2, crashOnce.Calls);
        Assert.Equal(120, (await second.EventsAsync(Tenant, integration.Id)).Count);
        Assert.Equal(120, done.Progress.RecordsPublished);
        Assert.Equal("120", done.Steps[2].Output!.Value.GetProperty("published").ToString());
    }

    [Fact]
    public async Task Several_pages_per_activity_commit_each_page_on_its_own_and_hand_back_after_the_configured_number()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("batched"), settings: new Dictionary<string, string?> { ["Runs:PagesPerActivity"] = "3" });
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-batched", count: 100, pageSize: 10);
        var run = await hub.Launcher.StartSyncAsync(integration, default);
        await hub.Steps.BeginAsync(new RunRef(Tenant, run.Id), default);
        var call = new StepCall(Tenant, run.Id, 0, run.Definition.Count - 1);

        var first = await hub.Steps.SyncPageAsync(call, default);
        var afterFirst = await hub.Runs.GetAsync(Tenant, run.Id, default);
        var calls = 1;
        StepResult last;
        while ((last = await hub.Steps.SyncPageAsync(call, default)).Kind == StepResultKind.Advanced)
        {
            calls++;
        }

        Assert.Equal(StepResultKind.Advanced, first.Kind);
        Assert.Equal((3, 30), (afterFirst!.Progress.Pages, afterFirst.Progress.RecordsPublished));
        Assert.Equal(StepResultKind.Completed, last.Kind);
        Assert.Equal(4, calls + 1); // 3 + 3 + 3 pages, then page 10 and the end of the data in the fourth call
        var events = await hub.EventsAsync(Tenant, integration.Id);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), events.Select(e => e.SequenceId).Order());
        Assert.Equal(101, (await hub.Integrations.GetStateAsync(Tenant, integration.Id, default)).NextSequenceId);
    }

    [Fact]
    public async Task A_second_sync_continues_from_the_committed_cursor()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("incremental"));
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-incremental", count: 60, pageSize: 25);
        var first = await hub.Launcher.StartSyncAsync(integration, default);
        await hub.DriveAsync(Tenant, first.Id);

        var second = await hub.Launcher.StartSyncAsync(integration, default);
        await hub.DriveAsync(Tenant, second.Id);

        var secondDone = await hub.Runs.GetAsync(Tenant, second.Id, default);
        Assert.Equal(RunStatus.Succeeded, secondDone!.Status);
        Assert.Equal(0, secondDone.Progress.RecordsRead);
        Assert.Equal(60, (await hub.EventsAsync(Tenant, integration.Id)).Count);
    }

    [Fact]
    public async Task A_transform_maps_records_and_the_event_carries_the_envelope()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("transform"));
        var mapping = JsonSerializer.SerializeToElement(new { number = "$.sequence", label = new { template = "{{$.name}} ({{$.category}})" }, source = new { @const = "sample" } });
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-mapped", count: 3, pageSize: 10, mapping);
        var run = await hub.Launcher.StartSyncAsync(integration, default);

        await hub.DriveAsync(Tenant, run.Id);

        var events = await hub.EventsAsync(Tenant, integration.Id);
        var first = events.OrderBy(e => e.SequenceId).First();
        Assert.Equal(3, events.Count);
        Assert.Equal(1, first.Event.Data.GetProperty("number").GetInt64());
        Assert.Equal("sample", first.Event.Data.GetProperty("source").GetString());
        Assert.Contains("(", first.Event.Data.GetProperty("label").GetString(), StringComparison.Ordinal);
        Assert.False(first.Event.Data.TryGetProperty("amount", out _));
        Assert.Equal("com.integrationhub.sample.events.upserted", first.Event.Type);
        Assert.Equal(EventIds.For(integration.Id, "events", "1", SampleVersionOf(1), "upserted", first.Event.Data), first.Event.Id);
        Assert.Equal(Tenant, first.Event.TenantId);
        Assert.Equal(run.Id, first.Event.RunId);
    }

    [Fact]
    public async Task A_sink_that_is_down_leaves_the_cursor_where_it_was_and_the_run_waits_to_retry()
    {
        var down = new DownSink();
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("down"), s => s.AddSingleton<IEventSink>(down));
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-down", count: 30, pageSize: 10);
        var run = await hub.Launcher.StartSyncAsync(integration, default);

        var result = await hub.DriveAsync(Tenant, run.Id);

        var waiting = await hub.Runs.GetAsync(Tenant, run.Id, default);
        Assert.Equal(StepResultKind.Retry, result.Kind);
        Assert.InRange(result.DelaySeconds, 0.5, 2); // Runs:RetryBaseDelay = 00:00:01, jittered: a durable timer, not a sleep
        var state = await hub.Integrations.GetStateAsync(Tenant, integration.Id, default);
        Assert.Equal(RunStatus.Waiting, waiting!.Status);
        Assert.Equal(1, waiting.Steps[0].Attempts);
        Assert.Contains("unavailable", waiting.Error, StringComparison.Ordinal);
        Assert.True(waiting.DueAt > DateTimeOffset.UtcNow);
        Assert.Null(state.Cursor);
        Assert.Equal(1, state.NextSequenceId);
    }

    [Fact]
    public async Task Cancelling_stops_the_run_and_releases_the_integration()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("cancel"), s => s.AddSingleton<IEventSink>(new DownSink()));
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-cancel", count: 30, pageSize: 10);
        var run = await hub.Launcher.StartSyncAsync(integration, default);
        await hub.DriveAsync(Tenant, run.Id); // now waiting to retry

        await hub.Launcher.RequestCancelAsync((await hub.Runs.GetAsync(Tenant, run.Id, default))!, default);
        var result = await hub.DriveAsync(Tenant, run.Id);

        var cancelled = await hub.Runs.GetAsync(Tenant, run.Id, default);
        Assert.Equal(StepResultKind.Cancelled, result.Kind);
        Assert.Equal(RunStatus.Cancelled, cancelled!.Status);
        Assert.Null((await hub.Integrations.GetStateAsync(Tenant, integration.Id, default)).ActiveRunId);
        Assert.Null((await hub.Integrations.GetStateAsync(Tenant, integration.Id, default)).Cursor);
    }

    private static string? SampleVersionOf(long sequence) =>
        IntegrationHub.Connectors.Sample.SampleConnector.Create(new IntegrationHub.Connectors.Sample.SampleConfiguration(), sequence).Version;

    private sealed class CrashOnceStep : IJobStepType
    {
        public const string TypeName = "crash-once";

        private int _calls;

        public int Calls => _calls;

        public string Type => TypeName;

        public StepRole Role => StepRole.Job;

        public Task<IReadOnlyList<IntegrationHub.Connectors.FieldError>> ValidateAsync(string tenantId, FlowStep step, string at, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<IntegrationHub.Connectors.FieldError>>([]);

        public Task<StepOutcome> ExecuteAsync(JobStepContext context, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw new ProcessKilledException();
            }

            var published = context.Input!.Value.GetProperty("recordsPublished").GetInt64();
            return Task.FromResult<StepOutcome>(new StepOutcome.Completed(JsonSerializer.SerializeToElement(new { published })));
        }
    }

    private sealed class DownSink : IEventSink
    {
        public string Name => "down";

        public Task PublishAsync(EventBatch batch, CancellationToken cancellationToken) =>
            throw new EventPublishException("broker unavailable (test)", isTransient: true);
    }
}
