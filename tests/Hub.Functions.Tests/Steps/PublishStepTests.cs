using IntegrationHub.Core.Events;
using IntegrationHub.Core.Runs;
using IntegrationHub.Core.Runs.Steps;

namespace IntegrationHub.Functions.Tests.Steps;

/// <summary>A lone <c>publish</c> step (after a job step) through the real run engine and the Cosmos event log.</summary>
[Collection(StepsGroup.Name)]
public sealed class PublishStepTests(StepsFixture steps)
{
    [Fact]
    public async Task A_lone_publish_publishes_the_previous_output_as_one_event_and_a_retry_publishes_nothing_twice()
    {
        var (tenant, client) = await steps.TenantAsync();
        var flowId = await StepsFixture.CreateFlowAsync(client, new
        {
            name = "announce",
            description = "a computed result published as one event",
            steps = new object[]
            {
                new { name = "result", type = "transform", mapping = new { total = new { @const = 42 }, unit = new { @const = "issues" } } },
                new { name = "announce", type = "publish", topic = "results" },
            },
        });

        var run = await steps.SettledAsync(await steps.StartAsync(tenant, flowId));

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var log = steps.Hub.Stores.GetRequiredService<CosmosEventLog>();
        var published = Assert.Single((await log.ListAsync(tenant, null, run.Id, 10, null, default)).Items);
        Assert.Equal("results", published.Topic);
        Assert.Equal(PublishStepType.EventIdOf(run.Id, "announce"), published.Event.Id);
        Assert.Equal(PublishStepType.OutputEventType, published.Event.Type);
        Assert.Equal(42, published.Event.Data.GetProperty("total").GetInt32());
        Assert.Equal(published.Event.Id, run.Steps[1].Output!.Value.GetProperty("eventId").GetString());

        // The same step again (a retry after a crash before its checkpoint): the sink keeps one event.
        var publish = Assert.IsType<PublishStepType>(steps.Hub.Stores.GetRequiredService<StepTypeRegistry>().Find("publish"));
        var again = await publish.ExecuteAsync(new JobStepContext(run with { CurrentStep = 1 }, run.Definition[1], run.Steps[1], run.Steps[0].Output), default);
        Assert.IsType<StepOutcome.Completed>(again);
        Assert.Single((await log.ListAsync(tenant, null, run.Id, 10, null, default)).Items);
    }
}
