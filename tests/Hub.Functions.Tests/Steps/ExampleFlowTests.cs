using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IntegrationHub.Jobs.Livy;
using IntegrationHub.TestDoubles.N8n;

namespace IntegrationHub.Functions.Tests.Steps;

/// <summary>
/// The example the README shows (docs/examples/github-enrichment-flow.json and n8n-enrich-issues.json), exactly as
/// shipped, through the HTTP API of the running hub: GitHub issues → transform → publish → n8n → Spark → publish.
/// </summary>
[Collection(StepsGroup.Name)]
public sealed class ExampleFlowTests(StepsFixture steps)
{
    private static string Example(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", file));

    [Fact]
    public async Task The_example_flow_runs_from_GitHub_through_n8n_and_Spark_to_published_events()
    {
        var (tenant, client) = await steps.TenantAsync();
        var since = DateTimeOffset.UtcNow.AddDays(-1);
        steps.GitHub.AddIssue($"Crash on start {tenant}", since);
        steps.GitHub.AddIssue($"Typo in README {tenant}", since.AddMinutes(1));
        steps.GitHub.AddIssue($"Slow sync {tenant}", since.AddMinutes(2));
        var integrationId = await ExampleFlowSupport.GitHubIntegrationAsync(steps.Hub, steps.GitHub, tenant);
        var workflowId = N8nFixture.IdOf(await steps.N8n.ImportAsync(JsonNode.Parse(Example("n8n-enrich-issues.json"))!.AsObject()));
        var flow = Example("github-enrichment-flow.json").Replace("{{GITHUB_INTEGRATION_ID}}", integrationId, StringComparison.Ordinal).Replace("{{N8N_WORKFLOW_ID}}", workflowId, StringComparison.Ordinal);

        using var created = await client.PostAsync(new Uri("api/v1/flows", UriKind.Relative), new StringContent(flow, Encoding.UTF8, "application/json"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var flowId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var started = await client.PostAsync(new Uri($"api/v1/flows/{flowId}/run", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // Issues published, n8n answered, the Spark batch submitted: the run waits for Spark without an instance.
        var run = await ExampleFlowSupport.RunWhenAsync(client, runId, r => r.GetProperty("status").GetString() is "waiting" or "failed" or "succeeded" && Step(r, "aggregate").GetProperty("status").GetString() != "pending", TimeSpan.FromSeconds(90));
        Assert.Equal("waiting", run.GetProperty("status").GetString());
        var enriched = Step(run, "enrich").GetProperty("output");
        Assert.Equal("high", enriched.GetProperty("priority").GetString());
        Assert.Equal("triage/issues", enriched.GetProperty("label").GetString());
        var topic = $"hub.{tenant}.github.issues";
        var batch = Assert.Single(steps.Livy.SubmittedBodies, b => (string?)b["name"] == SparkBatchName.For(runId, "aggregate"));
        Assert.Equal(
            ["--source", "integrationhub", "--topic", topic, "--priority", "high", "--run", $"{runId}:enrich"],
            batch["args"]!.AsArray().Select(a => (string)a!));
        var batchId = steps.Livy.IdOf(SparkBatchName.For(runId, "aggregate"))!.Value;

        steps.Livy.SetState(batchId, "success");
        run = await ExampleFlowSupport.RunWhenAsync(client, runId, r => r.GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(90));
        Assert.True(run.GetProperty("status").GetString() == "succeeded", run.TryGetProperty("error", out var error) ? error.ToString() : "no error");

        var events = (await client.GetFromJsonAsync<JsonElement>($"api/v1/events?runId={runId}&limit=100")).GetProperty("items").EnumerateArray().ToList();
        var issues = events.Where(e => e.GetProperty("topic").GetString() == topic).ToList();
        Assert.Equal(3, issues.Count);
        Assert.All(issues, e => Assert.Equal("com.integrationhub.github.issues.upserted", e.GetProperty("event").GetProperty("type").GetString()));
        Assert.Equal(
            [$"#1: Crash on start {tenant}", $"#2: Typo in README {tenant}", $"#3: Slow sync {tenant}"],
            issues.Select(e => e.GetProperty("event").GetProperty("data").GetProperty("summary").GetString()).Order(StringComparer.Ordinal));
        var announced = Assert.Single(events, e => e.GetProperty("topic").GetString() == "github-issues-enriched");
        Assert.Equal("com.integrationhub.flow.output", announced.GetProperty("event").GetProperty("type").GetString());
        Assert.Equal(batchId, announced.GetProperty("event").GetProperty("data").GetProperty("batchId").GetInt64());

        var executions = await steps.N8n.ExecutionsOfAsync(workflowId);
        Assert.Equal("success", (string?)Assert.Single(executions)!["status"]);
    }

    private static JsonElement Step(JsonElement run, string name) => run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);
}
