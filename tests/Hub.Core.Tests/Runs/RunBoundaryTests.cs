using IntegrationHub.Core.Runs;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>
/// A run without its <c>BeginRun</c> and <c>FinishRun</c> activities: the first unit's call begins it (the starter
/// passed the plan), the last unit's call (<see cref="StepCall.EndsRun"/>) records its success, and both stay safe
/// when Durable calls them again.
/// </summary>
public sealed class RunBoundaryTests
{
    private const string Tenant = "t1";

    [Fact]
    public async Task A_new_run_s_first_call_marks_it_running_and_its_last_unit_records_the_success_and_frees_the_integration()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("boundary"), settings: new Dictionary<string, string?> { ["Runs:PagesPerActivity"] = "1" });
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-boundary", count: 30, pageSize: 10);
        var run = await hub.Launcher.StartSyncAsync(integration, default);
        var plan = hub.Steps.PlanOf(run);
        var call = new StepCall(Tenant, run.Id, plan.Steps[0].First, plan.Steps[0].Last, EndsRun: true);

        var first = await hub.Steps.SyncPageAsync(call, default);
        var afterFirst = await hub.Runs.GetAsync(Tenant, run.Id, default);
        StepResult last;
        while ((last = await hub.Steps.SyncPageAsync(call, default)).Kind == StepResultKind.Advanced)
        {
        }

        var done = await hub.Runs.GetAsync(Tenant, run.Id, default);
        var stored = await hub.Integrations.GetAsync(Tenant, integration.Id, default);
        Assert.Equal(RunStatus.Pending, run.Status);
        Assert.Equal([new PlannedStep(0, 1, true)], plan.Steps);
        Assert.Equal(StepResultKind.Advanced, first.Kind);
        Assert.Equal(RunStatus.Running, afterFirst!.Status);
        Assert.NotNull(afterFirst.StartedAt);
        Assert.Equal(StepResultKind.Ended, last.Kind);
        Assert.Equal(RunStatus.Succeeded, done!.Status);
        Assert.NotNull(done.CompletedAt);
        Assert.Equal(2, done.CurrentStep);
        Assert.All(done.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        Assert.Equal(30, done.Progress.RecordsPublished);
        Assert.Null((await hub.Integrations.GetStateAsync(Tenant, integration.Id, default)).ActiveRunId);
        Assert.Equal((run.Id, "succeeded", 30L), (stored!.LastRun!.RunId, stored.LastRun.Status, stored.LastRun.RecordsPublished));
    }

    [Fact]
    public async Task The_last_call_repeated_after_its_answer_was_lost_answers_ended_and_publishes_nothing_again()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("boundary-again"));
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-again", count: 25, pageSize: 10);
        var run = await hub.Launcher.StartSyncAsync(integration, default);
        await hub.DriveAsync(Tenant, run.Id);
        var pagesRead = (await hub.Runs.GetAsync(Tenant, run.Id, default))!.Progress.Pages;

        var again = await hub.Steps.SyncPageAsync(new StepCall(Tenant, run.Id, 0, 1, EndsRun: true), default);

        var done = await hub.Runs.GetAsync(Tenant, run.Id, default);
        Assert.Equal(StepResultKind.Ended, again.Kind);
        Assert.Equal(RunStatus.Succeeded, done!.Status);
        Assert.Equal(pagesRead, done.Progress.Pages);
        Assert.Equal(25, (await hub.EventsAsync(Tenant, integration.Id)).Count);
    }

    [Fact]
    public async Task A_unit_completed_by_a_call_whose_answer_was_lost_is_not_run_again_and_the_last_one_then_ends_the_run()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("boundary-lost"));
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-lost", count: 25, pageSize: 10);
        var run = await hub.Launcher.StartSyncAsync(integration, default);
        var call = new StepCall(Tenant, run.Id, 0, 1); // an orchestration scheduled before EndsRun existed
        StepResult result;
        while ((result = await hub.Steps.SyncPageAsync(call, default)).Kind == StepResultKind.Advanced)
        {
        }

        var completed = await hub.Runs.GetAsync(Tenant, run.Id, default);
        var repeated = await hub.Steps.SyncPageAsync(call, default);
        var ending = await hub.Steps.SyncPageAsync(call with { EndsRun = true }, default);

        var done = await hub.Runs.GetAsync(Tenant, run.Id, default);
        Assert.Equal(StepResultKind.Completed, result.Kind);
        Assert.Equal(RunStatus.Running, completed!.Status); // FinishRun's to record, as before
        Assert.Equal(StepResultKind.Completed, repeated.Kind);
        Assert.Equal(StepResultKind.Ended, ending.Kind);
        Assert.Equal(RunStatus.Succeeded, done!.Status);
        Assert.Equal(completed.Progress.Pages, done.Progress.Pages);
        Assert.Equal(25, (await hub.EventsAsync(Tenant, integration.Id)).Count);
        Assert.Null((await hub.Integrations.GetStateAsync(Tenant, integration.Id, default)).ActiveRunId);
    }

    [Fact]
    public async Task A_call_on_a_run_that_has_ended_does_nothing_and_answers_ended()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("boundary-ended"));
        var integration = await hub.SampleIntegrationAsync(Tenant, "sample-ended", count: 25, pageSize: 10);
        var run = await hub.Launcher.StartSyncAsync(integration, default);
        await hub.Steps.FinishAsync(new RunEnd(Tenant, run.Id, RunStatus.Cancelled, "Cancelled on request."), default);

        var result = await hub.Steps.SyncPageAsync(new StepCall(Tenant, run.Id, 0, 1, EndsRun: true), default);

        var after = await hub.Runs.GetAsync(Tenant, run.Id, default);
        Assert.Equal(StepResultKind.Ended, result.Kind);
        Assert.Equal(RunStatus.Cancelled, after!.Status);
        Assert.Null(after.StartedAt);
        Assert.Empty(await hub.EventsAsync(Tenant, integration.Id));
    }
}
