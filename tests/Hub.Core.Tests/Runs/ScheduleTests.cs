using IntegrationHub.Core.Runs;
using IntegrationHub.Shared.Scheduling;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>Scheduled syncs: one run per slot however many instances or timer retries, and a missed stretch runs once.</summary>
public sealed class ScheduleTests
{
    private const string Tenant = "t1";

    [Fact]
    public async Task Two_instances_scheduling_at_once_start_a_slot_once()
    {
        var database = SharedCosmosEmulator.NewDatabaseName("sched");
        await using var a = await EngineInstance.StartAsync(database);
        await using var b = await EngineInstance.StartAsync(database);
        // Hourly, so the test cannot straddle a slot boundary between its calls (a minutely one could, once a minute).
        await a.SampleIntegrationAsync(Tenant, "hourly", count: 5, pageSize: 5, schedule: "0 0 * * * *", createdAt: DateTimeOffset.UtcNow.AddHours(-3));

        var started = await Task.WhenAll(
            a.Services.GetRequiredService<SyncScheduler>().StartDueAsync(default),
            b.Services.GetRequiredService<SyncScheduler>().StartDueAsync(default));
        var again = await a.Services.GetRequiredService<SyncScheduler>().StartDueAsync(default);

        Assert.Equal(1, started.Sum(s => s.Count));
        Assert.Empty(again);
        var runs = await a.Runs.ListAsync(Tenant, "hourly", null, 50, null, default);
        Assert.Single(runs.Items);
        Assert.Equal("schedule", runs.Items[0].Trigger);
    }

    [Fact]
    public async Task A_stretch_of_missed_slots_runs_once_for_the_latest_slot()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("missed"));
        var integration = await hub.SampleIntegrationAsync(Tenant, "missed", count: 5, pageSize: 5, schedule: "0 0 * * * *", createdAt: DateTimeOffset.UtcNow.AddHours(-5));

        var started = await hub.Services.GetRequiredService<SyncScheduler>().StartDueAsync(default);

        var run = Assert.Single(started); // five missed hourly slots, one run
        var latest = SyncScheduler.LatestSlot(IntegrationSchedule.Parse("0 0 * * * *"), DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow);
        Assert.Equal(latest, run.ScheduleSlot);
        Assert.Equal(RunLauncher.SlotRunId(integration.Id, run.ScheduleSlot!.Value), run.Id);
    }

    [Fact]
    public async Task A_disabled_or_unscheduled_integration_is_not_started()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("unscheduled"));
        await hub.SampleIntegrationAsync(Tenant, "on-demand", count: 5, pageSize: 5, createdAt: DateTimeOffset.UtcNow.AddHours(-1));
        var disabled = await hub.SampleIntegrationAsync(Tenant, "disabled", count: 5, pageSize: 5, schedule: "0 0 * * * *", createdAt: DateTimeOffset.UtcNow.AddHours(-3));
        await hub.Integrations.ReplaceAsync(disabled with { Enabled = false }, default);

        Assert.Empty(await hub.Services.GetRequiredService<SyncScheduler>().StartDueAsync(default));
    }

    [Fact]
    public void The_slot_run_id_is_the_same_everywhere_for_a_slot_and_differs_between_slots()
    {
        var slot = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

        Assert.Equal(RunLauncher.SlotRunId("i1", slot), RunLauncher.SlotRunId("i1", slot.ToOffset(TimeSpan.FromHours(2))));
        Assert.NotEqual(RunLauncher.SlotRunId("i1", slot), RunLauncher.SlotRunId("i1", slot.AddMinutes(1)));
        Assert.NotEqual(RunLauncher.SlotRunId("i1", slot), RunLauncher.SlotRunId("i2", slot));
    }
}
