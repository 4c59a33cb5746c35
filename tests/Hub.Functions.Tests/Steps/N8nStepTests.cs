using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Runs;
using IntegrationHub.TestDoubles.N8n;

namespace IntegrationHub.Functions.Tests.Steps;

/// <summary>The <c>n8n</c> flow step through the real run engine and n8n client, against a real n8n 1.123.81.</summary>
[Collection(StepsGroup.Name)]
public sealed class N8nStepTests(StepsFixture steps)
{
    private static object Flow(string workflowId, object input, object? next = null) => new
    {
        name = "n8n step",
        description = "an n8n workflow between two transforms",
        steps = new object[]
        {
            new { name = "order", type = "transform", mapping = input },
            new { name = "workflow", type = "n8n", settings = new { workflowId }, input = new { name = "$.customer", n = "$.quantity", a = "$.a", b = "$.b", order = "$.order" } },
            new { name = "after", type = "transform", mapping = next ?? new { done = new { @const = true } } },
        },
    };

    [Fact]
    public async Task An_n8n_step_passes_the_workflows_answer_to_the_next_step()
    {
        var (tenant, client) = await steps.TenantAsync();
        var flowId = await StepsFixture.CreateFlowAsync(client, Flow(
            N8nFixture.IdOf(steps.N8n.Echo),
            new { customer = new { @const = "Ada" }, quantity = new { @const = 21 } },
            new { message = "$.greeting", twice = "$.doubled", key = "$.key" }));

        var run = await steps.SettledAsync(await steps.StartAsync(tenant, flowId));

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var output = run.Steps[2].Output!.Value;
        Assert.Equal("Hello, Ada", output.GetProperty("message").GetString());
        Assert.Equal(42, output.GetProperty("twice").GetInt32());
        Assert.Equal($"{run.Id}:workflow", output.GetProperty("key").GetString());
    }

    [Fact]
    public async Task A_workflow_that_answers_with_its_execution_id_is_waited_for_durably()
    {
        var (tenant, client) = await steps.TenantAsync();
        var flowId = await StepsFixture.CreateFlowAsync(client, Flow(
            N8nFixture.IdOf(steps.N8n.Background),
            new { a = new { @const = 2 }, b = new { @const = 3 } },
            new { total = "$.total" }));

        var run = await steps.SettledAsync(await steps.StartAsync(tenant, flowId));

        Assert.Equal(RunStatus.Waiting, run.Status);
        Assert.Equal("n8n", run.Steps[1].Checkpoint!.Value.GetProperty("engine").GetString());
        run = await steps.ResumeUntilAsync(run, RunStatus.Succeeded);
        Assert.Equal(5, run.Steps[2].Output!.Value.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_failing_workflow_fails_the_run_with_n8ns_message()
    {
        var (tenant, client) = await steps.TenantAsync();
        var flowId = await StepsFixture.CreateFlowAsync(client, Flow(N8nFixture.IdOf(steps.N8n.Failing), new { order = new { @const = 42 } }));

        var run = await steps.SettledAsync(await steps.StartAsync(tenant, flowId));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("Order 42 was rejected by the ERP", run.Error);
        Assert.Equal(StepStatus.Failed, run.Steps[1].Status);
        Assert.Equal(StepStatus.Skipped, run.Steps[2].Status);
    }

    [Fact]
    public async Task A_workflow_the_hub_may_not_run_is_refused_when_the_flow_is_saved()
    {
        var (_, client) = await steps.TenantAsync();

        var untagged = await ErrorsAsync(client, Flow(N8nFixture.IdOf(steps.N8n.Untagged), new { order = new { @const = 1 } }));
        Assert.Contains($"does not carry the tag '{steps.N8n.Tag}'", untagged.GetProperty("steps[1].settings.workflowId")[0].GetString(), StringComparison.Ordinal);

        var missing = await ErrorsAsync(client, Flow("no-such-workflow", new { order = new { @const = 1 } }));
        Assert.Equal("n8n has no workflow 'no-such-workflow'.", missing.GetProperty("steps[1].settings.workflowId")[0].GetString());
    }

    private static async Task<JsonElement> ErrorsAsync(HttpClient client, object flow)
    {
        using var response = await client.PostAsJsonAsync("api/v1/flows", flow);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }
}
