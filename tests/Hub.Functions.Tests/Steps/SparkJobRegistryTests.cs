using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Runs;
using IntegrationHub.Jobs.Livy;

namespace IntegrationHub.Functions.Tests.Steps;

/// <summary>Spark job definitions registered per tenant, and a spark step that runs one by name.</summary>
[Collection(StepsGroup.Name)]
public sealed class SparkJobRegistryTests(StepsFixture steps)
{
    [Fact]
    public async Task A_registered_job_is_validated_kept_per_tenant_and_run_by_name_from_a_flow()
    {
        var (tenant, client) = await steps.TenantAsync();
        var (other, otherClient) = await steps.TenantAsync();
        using var bad = await client.PostAsJsonAsync("api/v1/spark-jobs", new { name = "nightly", file = "local:///opt/jobs/nightly.py", driverMemory = "lots" });
        using var created = await client.PostAsJsonAsync("api/v1/spark-jobs", new { name = "nightly", file = "local:///opt/jobs/nightly.py", args = new[] { "--full" }, queue = "etl" });
        using var duplicate = await client.PostAsJsonAsync("api/v1/spark-jobs", new { name = "nightly", file = "local:///opt/jobs/other.py" });
        using var hidden = await otherClient.GetAsync(new Uri("api/v1/spark-jobs/nightly", UriKind.Relative));
        var flow = new { name = "by name", steps = new object[] { new { name = "nightly", type = "spark", settings = new { job = "nightly" } } } };
        using var unknown = await client.PostAsJsonAsync("api/v1/flows", new { name = "unknown", steps = new object[] { new { name = "x", type = "spark", settings = new { job = "missing" } } } });

        var run = await steps.SettledAsync(await steps.StartAsync(tenant, await StepsFixture.CreateFlowAsync(client, flow)));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("driverMemory", out _));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("steps[0].settings.job", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(RunStatus.Waiting, run.Status);
        var body = Assert.Single(steps.Livy.SubmittedBodies, b => (string?)b["name"] == SparkBatchName.For(run.Id, "nightly"));
        Assert.Equal("local:///opt/jobs/nightly.py", (string?)body["file"]);
        Assert.Equal("etl", (string?)body["queue"]);
        Assert.NotEqual(tenant, other);
    }
}
