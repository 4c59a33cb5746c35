using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.Jobs.Livy;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Livy;
using IntegrationHub.TestDoubles.N8n;
using IntegrationHub.TestDoubles.Pulsar;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Functions.Tests.Steps;

/// <summary>
/// The README's example flow (docs/examples/github-enrichment-flow.json with n8n-enrich-issues.json), exactly as shipped,
/// end to end on the Functions host with the sink the README names: GitHub (double) → transform → publish to Pulsar
/// (WebSocket double) → a real n8n → Spark (Livy double) → publish to Pulsar. The run is one Durable Functions
/// orchestration that waits for n8n and Spark on durable timers.
/// </summary>
[Collection(ExampleFlowOnPulsar.Name)]
public sealed class ExampleFlowPulsarTests(ExampleFlowPulsarFixture fixture)
{
    private static string Example(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", file));

    [Fact]
    public async Task The_example_flow_runs_from_GitHub_through_n8n_and_Spark_to_Pulsar_on_the_durable_engine()
    {
        var tenant = $"flow-{Guid.NewGuid():N}"[..13];
        var (client, _) = await fixture.Hub.TenantAsync(tenant);
        using var _1 = client;
        var since = DateTimeOffset.UtcNow.AddDays(-1);
        fixture.GitHub.AddIssue("Crash on start", since);
        fixture.GitHub.AddIssue("Typo in README", since.AddMinutes(1));
        fixture.GitHub.AddIssue("Slow sync", since.AddMinutes(2));
        var integrationId = await ExampleFlowSupport.GitHubIntegrationAsync(fixture.Hub, fixture.GitHub, tenant);
        var workflowId = N8nFixture.IdOf(await fixture.N8n.ImportAsync(JsonNode.Parse(Example("n8n-enrich-issues.json"))!.AsObject()));
        var flow = Example("github-enrichment-flow.json").Replace("{{GITHUB_INTEGRATION_ID}}", integrationId, StringComparison.Ordinal).Replace("{{N8N_WORKFLOW_ID}}", workflowId, StringComparison.Ordinal);

        using var created = await client.PostAsync(new Uri("api/v1/flows", UriKind.Relative), new StringContent(flow, Encoding.UTF8, "application/json"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var flowId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var started = await client.PostAsync(new Uri($"api/v1/flows/{flowId}/run", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // Issues published to Pulsar, n8n answered, the Spark batch submitted: the orchestration polls it on durable timers.
        var batchName = SparkBatchName.For(runId, "aggregate");
        await Eventually.TrueAsync(() => fixture.Livy.IdOf(batchName) is not null, "the Spark batch to be submitted", TimeSpan.FromSeconds(120));
        var waiting = await client.GetFromJsonAsync<JsonElement>($"api/v1/runs/{runId}");
        var issueTopic = $"persistent://public/default/hub.{tenant}.github.issues";
        var issues = fixture.Pulsar.Messages(issueTopic);
        fixture.Livy.SetState(fixture.Livy.IdOf(batchName)!.Value, "success");
        var run = await ExampleFlowSupport.RunWhenAsync(client, runId, r => r.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(120));

        Assert.True(run.GetProperty("status").GetString() == "succeeded", run.TryGetProperty("error", out var error) ? error.ToString() : "no error");
        Assert.NotEqual("succeeded", waiting.GetProperty("status").GetString());
        Assert.Equal(3, issues.Count); // published before n8n was asked
        Assert.Equal(
            ["#1: Crash on start", "#2: Typo in README", "#3: Slow sync"],
            issues.Select(m => JsonDocument.Parse(m.Text).RootElement.GetProperty("data").GetProperty("summary").GetString()).Order(StringComparer.Ordinal));
        Assert.All(issues, m => Assert.Equal("com.integrationhub.github.issues.upserted", JsonDocument.Parse(m.Text).RootElement.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L, 3L], issues.Select(m => m.SequenceId));
        var batch = Assert.Single(fixture.Livy.SubmittedBodies, b => (string?)b["name"] == batchName);
        Assert.Equal(["--source", "integrationhub", "--topic", $"hub.{tenant}.github.issues", "--priority", "high", "--run", $"{runId}:enrich"], batch["args"]!.AsArray().Select(a => (string)a!));
        var announced = Assert.Single(fixture.Pulsar.Messages("persistent://public/default/github-issues-enriched"), m => JsonDocument.Parse(m.Text).RootElement.GetProperty("runid").GetString() == runId);
        var announcement = JsonDocument.Parse(announced.Text).RootElement;
        Assert.Equal("com.integrationhub.flow.output", announcement.GetProperty("type").GetString());
        Assert.Equal(fixture.Livy.IdOf(batchName)!.Value, announcement.GetProperty("data").GetProperty("batchId").GetInt64());
        Assert.Equal(3, fixture.Pulsar.Messages(issueTopic).Count); // nothing re-sent while the orchestration polled
        Assert.Equal("success", (string?)Assert.Single(await fixture.N8n.ExecutionsOfAsync(workflowId))!["status"]);
    }
}

/// <summary>One hub on the Functions host publishing to the Pulsar WebSocket double, with a real n8n, the Livy double and the GitHub double.</summary>
public sealed class ExampleFlowPulsarFixture : HubFixture
{
    public N8nFixture N8n { get; } = new();

    public LivyDouble Livy { get; } = new();

    public GitHubDouble GitHub { get; } = new();

    public PulsarWebSocketDouble Pulsar { get; } = new();

    protected override async Task StartDoublesAsync() =>
        await Task.WhenAll(N8n.InitializeAsync(), Livy.StartAsync(), GitHub.StartAsync(), Pulsar.StartAsync());

    protected override async Task StopDoublesAsync()
    {
        await Pulsar.DisposeAsync();
        await Livy.DisposeAsync();
        await GitHub.DisposeAsync();
        await N8n.DisposeAsync();
    }

    protected override IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Connectors:Network:AllowPrivateNetworks"] = "true",
        ["Pulsar:ServiceUrl"] = Pulsar.ServiceUrl,
        ["N8n:BaseUrl"] = N8n.BaseUrl,
        ["N8n:ApiKey"] = N8n.ApiKey,
        ["N8n:WorkflowTag"] = N8n.Tag,
        ["N8n:ExecutionPollInterval"] = "00:00:01",
        ["Livy:BaseUrl"] = Livy.BaseAddress.ToString(),
        ["Livy:PollInterval"] = "00:00:01",
    };
}

[CollectionDefinition(Name)]
public sealed class ExampleFlowOnPulsar : ICollectionFixture<ExampleFlowPulsarFixture>
{
    public const string Name = "example flow on pulsar";
}
