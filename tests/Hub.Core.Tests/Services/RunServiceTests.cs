using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.Core.Tests.Runs;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Services;

/// <summary>What <see cref="RunService"/> refuses: runs, integrations and flows of other tenants do not exist; ended runs cannot be cancelled; disabled integrations do not start.</summary>
public sealed class RunServiceTests : IAsyncLifetime
{
    private const string Tenant = "t1";
    private EngineInstance _hub = null!;

    private RunService Runs => _hub.Services.GetRequiredService<RunService>();

    public async Task InitializeAsync() => _hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("runsvc"));

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task Another_tenants_run_and_integration_are_not_found()
    {
        await _hub.SampleIntegrationAsync(Tenant, "int-1", count: 3, pageSize: 10);
        var run = await Runs.StartIntegrationRunAsync(Tenant, "int-1", default);

        var notFound = new (Func<Task> Call, string Kind)[]
        {
            (() => Runs.GetAsync("t2", run.Id, default), RunService.Kind),
            (() => Runs.RequestCancelAsync("t2", run.Id, default), RunService.Kind),
            (() => Runs.ListForIntegrationAsync("t2", "int-1", 10, null, default), IntegrationService.Kind),
            (() => Runs.StartIntegrationRunAsync("t2", "int-1", default), IntegrationService.Kind),
            (() => Runs.StartFlowRunAsync(Tenant, "flow-missing", default), Flows.FlowService.Kind),
        };

        foreach (var (call, kind) in notFound)
        {
            Assert.Equal(kind, (await Assert.ThrowsAsync<ResourceNotFoundException>(call)).Kind);
        }

        Assert.False((await Runs.GetAsync(Tenant, run.Id, default)).CancelRequested);
    }

    [Fact]
    public async Task A_run_that_has_ended_cannot_be_cancelled()
    {
        await _hub.SampleIntegrationAsync(Tenant, "int-ended", count: 3, pageSize: 10);
        var run = await Runs.StartIntegrationRunAsync(Tenant, "int-ended", default);
        await _hub.DriveAsync(Tenant, run.Id);

        var refused = await Assert.ThrowsAsync<ResourceConflictException>(() => Runs.RequestCancelAsync(Tenant, run.Id, default));

        Assert.Equal($"Run '{run.Id}' has already ended (succeeded).", refused.Message);
        Assert.False((await Runs.GetAsync(Tenant, run.Id, default)).CancelRequested);
    }

    [Fact]
    public async Task A_running_run_records_the_cancel_request()
    {
        await _hub.SampleIntegrationAsync(Tenant, "int-cancel", count: 3, pageSize: 10);
        var run = await Runs.StartIntegrationRunAsync(Tenant, "int-cancel", default);

        var requested = await Runs.RequestCancelAsync(Tenant, run.Id, default);

        Assert.True(requested.CancelRequested);
        Assert.True((await Runs.GetAsync(Tenant, run.Id, default)).CancelRequested);
    }

    [Fact]
    public async Task A_disabled_integration_does_not_start_and_its_history_stays_empty()
    {
        var integration = await _hub.SampleIntegrationAsync(Tenant, "int-off", count: 3, pageSize: 10);
        await _hub.Integrations.ReplaceAsync(integration with { Enabled = false }, default);

        var refused = await Assert.ThrowsAsync<ResourceConflictException>(() => Runs.StartIntegrationRunAsync(Tenant, "int-off", default));

        Assert.Contains("disabled", refused.Message, StringComparison.Ordinal);
        Assert.Empty((await Runs.ListForIntegrationAsync(Tenant, "int-off", 10, null, default)).Items);
    }
}
