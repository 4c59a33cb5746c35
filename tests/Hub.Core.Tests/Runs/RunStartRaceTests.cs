using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Runs;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>Issue 13, fault 7: of 20 simultaneous starts of one integration (or one flow) exactly one wins; the others are conflicts naming it.</summary>
public sealed class RunStartRaceTests
{
    private const string Tenant = "t1";
    private const int Starts = 20;

    [Fact]
    public async Task Twenty_parallel_starts_of_one_integration_start_exactly_one_run()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("race-int"));
        var integration = await hub.SampleIntegrationAsync(Tenant, "int-race", count: 10, pageSize: 5);

        var outcomes = await RaceAsync(() => hub.Launcher.StartSyncAsync(integration, default));

        var winner = Assert.Single(outcomes.OfType<Run>());
        var conflicts = outcomes.OfType<ResourceConflictException>().ToList();
        Assert.Equal(Starts - 1, conflicts.Count);
        Assert.All(conflicts, c => Assert.Contains(winner.Id, c.Message, StringComparison.Ordinal));
        Assert.All(conflicts, c => Assert.Contains($"/api/v1/runs/{winner.Id}", c.Detail, StringComparison.Ordinal));
        var page = await hub.Runs.ListAsync(Tenant, integration.Id, null, 50, null, default);
        Assert.Equal([winner.Id], page.Items.Select(r => r.Id));
        Assert.Equal(winner.Id, (await hub.Integrations.GetStateAsync(Tenant, integration.Id, default)).ActiveRunId);
    }

    [Fact]
    public async Task Twenty_parallel_starts_of_one_flow_start_exactly_one_run_and_the_next_start_after_it_ends_succeeds()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("race-flow"));
        var integration = await hub.SampleIntegrationAsync(Tenant, "int-flow-race", count: 10, pageSize: 5);
        var flows = hub.Services.GetRequiredService<FlowStore>();
        var flow = await flows.CreateAsync(
            new Flow
            {
                Id = "flow-race",
                TenantId = Tenant,
                Name = "race",
                Steps = [new FlowStep { Name = "read", Type = "read", IntegrationId = integration.Id }, new FlowStep { Name = "publish", Type = "publish" }],
            },
            default);

        var outcomes = await RaceAsync(() => hub.Launcher.StartFlowAsync(flow, default));

        var winner = Assert.Single(outcomes.OfType<Run>());
        var conflicts = outcomes.OfType<ResourceConflictException>().ToList();
        Assert.Equal(Starts - 1, conflicts.Count);
        Assert.All(conflicts, c => Assert.Contains(winner.Id, c.Message, StringComparison.Ordinal));
        Assert.Equal([winner.Id], (await hub.Runs.ListAsync(Tenant, null, flow.Id, 50, null, default)).Items.Select(r => r.Id));
        Assert.Equal(["flow-race"], (await flows.ListAsync(Tenant, 10, null, default)).Items.Select(f => f.Id));

        await hub.DriveAsync(Tenant, winner.Id);
        Assert.Equal(RunStatus.Succeeded, (await hub.Runs.GetAsync(Tenant, winner.Id, default))!.Status);
        var next = await hub.Launcher.StartFlowAsync(flow, default);
        Assert.NotEqual(winner.Id, next.Id);
    }

    private static async Task<object[]> RaceAsync(Func<Task<Run>> start)
    {
        using var gate = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, Starts).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            try
            {
                return (object)await start();
            }
            catch (ResourceConflictException e)
            {
                return e;
            }
        })).ToList();
        gate.Set();
        return await Task.WhenAll(tasks);
    }
}
