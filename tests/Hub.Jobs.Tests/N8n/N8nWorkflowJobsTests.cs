using System.Net;
using System.Text.Json;
using IntegrationHub.Jobs.N8n;
using IntegrationHub.Shared.Diagnostics;
using IntegrationHub.TestDoubles.N8n;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Jobs.Tests.N8n;

/// <summary>The n8n engine through the real DI registration and client, against a real n8n 1.123.81 on loopback.</summary>
[Collection(N8nServerGroup.Name)]
public sealed class N8nWorkflowJobsTests(N8nFixture n8n)
{
    [Fact]
    public async Task Discovery_lists_the_workflows_with_the_agreed_tag_and_their_webhooks()
    {
        await using var services = n8n.Services(new() { ["N8n:PageSize"] = "2" });
        var client = services.GetRequiredService<N8nClient>();

        var workflows = new List<N8nWorkflow>();
        await foreach (var workflow in client.ListWorkflowsAsync())
        {
            workflows.Add(workflow);
        }

        Assert.Equal(
            new[] { N8nFixture.IdOf(n8n.Background), N8nFixture.IdOf(n8n.BackgroundFailing), N8nFixture.IdOf(n8n.Echo), N8nFixture.IdOf(n8n.Failing) }.Order(),
            workflows.Select(w => w.Id).Order());
        Assert.DoesNotContain(workflows, w => w.Id == N8nFixture.IdOf(n8n.Untagged));
        var echo = Assert.Single(workflows, w => w.Id == N8nFixture.IdOf(n8n.Echo));
        Assert.Equal(new N8nWebhook(n8n.PathOf("echo"), "POST"), echo.Webhook);
        Assert.True(echo.Active);
        Assert.Contains(n8n.Tag, echo.Tags);
    }

    [Fact]
    public async Task Running_a_workflow_returns_its_answer_computed_from_the_payload()
    {
        await using var services = n8n.Services();
        var jobs = services.GetRequiredService<N8nWorkflowJobs>();
        using var payload = JsonDocument.Parse("""{ "name": "Ada", "n": 21 }""");

        var start = await jobs.StartAsync(N8nFixture.IdOf(n8n.Echo), payload.RootElement, "run-7/step-2");

        Assert.Null(start.Reference);
        var output = Assert.IsType<JobStatus.Succeeded>(start.Status).Output;
        Assert.Equal("Hello, Ada", output.GetProperty("greeting").GetString());
        Assert.Equal(42, output.GetProperty("doubled").GetInt32());
        Assert.Equal("run-7/step-2", output.GetProperty("key").GetString());
    }

    [Fact]
    public async Task A_workflow_answering_with_its_execution_id_is_polled_until_it_succeeds()
    {
        await using var services = n8n.Services();
        var jobs = services.GetRequiredService<N8nWorkflowJobs>();
        using var payload = JsonDocument.Parse("""{ "a": 2, "b": 3 }""");

        var start = await jobs.StartAsync(N8nFixture.IdOf(n8n.Background), payload.RootElement, "run-8/step-1");

        Assert.NotNull(start.Reference);
        Assert.Equal("n8n", start.Reference.Engine);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<JobStatus.Pending>(start.Status).NextCheckAfter);
        var final = await PollUntilDoneAsync(jobs, start.Reference);
        var output = Assert.IsType<JobStatus.Succeeded>(final).Output;
        Assert.Equal(5, output.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_failing_workflow_fails_with_n8ns_error_message()
    {
        await using var services = n8n.Services();
        var jobs = services.GetRequiredService<N8nWorkflowJobs>();
        using var payload = JsonDocument.Parse("""{ "order": 42 }""");

        var start = await jobs.StartAsync(N8nFixture.IdOf(n8n.Failing), payload.RootElement, $"run-9/{Guid.NewGuid():N}");

        var failed = Assert.IsType<JobStatus.Failed>(start.Status);
        Assert.Equal("Order 42 was rejected by the ERP", failed.Message);
        Assert.NotNull(start.Reference); // the failed execution, found by the idempotency key
    }

    [Fact]
    public async Task A_workflow_failing_after_answering_fails_the_poll_with_n8ns_error_message()
    {
        await using var services = n8n.Services();
        var jobs = services.GetRequiredService<N8nWorkflowJobs>();
        using var payload = JsonDocument.Parse("""{ "account": "ACME-1" }""");

        var start = await jobs.StartAsync(N8nFixture.IdOf(n8n.BackgroundFailing), payload.RootElement, "run-10/step-1");
        var final = await PollUntilDoneAsync(jobs, start.Reference!);

        Assert.Equal("Ledger locked for ACME-1", Assert.IsType<JobStatus.Failed>(final).Message);
    }

    [Fact]
    public async Task n8n_errors_carry_n8ns_status_and_message_and_never_the_API_key()
    {
        await using var services = n8n.Services();
        var client = services.GetRequiredService<N8nClient>();

        var missing = await Assert.ThrowsAsync<N8nException>(() => client.GetWorkflowAsync("no-such-workflow"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.StartsWith("n8n answered 404 to GET /api/v1/workflows/no-such-workflow", missing.Message, StringComparison.Ordinal);

        var inactive = new N8nWorkflow("x", "not active", false, [], new N8nWebhook($"ih-nowhere-{Guid.NewGuid():N}", "POST"));
        using var payload = JsonDocument.Parse("{}");
        var unregistered = await Assert.ThrowsAsync<N8nException>(() => client.TriggerAsync(inactive, payload.RootElement, "k"));
        Assert.Equal(HttpStatusCode.NotFound, unregistered.StatusCode);
        Assert.Contains("is not registered", unregistered.Message, StringComparison.Ordinal);

        await using var wrongKey = n8n.Services(new() { ["N8n:ApiKey"] = "not-the-key-" + n8n.ApiKey[..4] });
        var refused = await Assert.ThrowsAsync<N8nException>(async () =>
        {
            await foreach (var unused in wrongKey.GetRequiredService<N8nClient>().ListWorkflowsAsync())
            {
            }
        });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        foreach (var error in new Exception[] { missing, unregistered, refused })
        {
            Assert.DoesNotContain(n8n.ApiKey, error.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_probe_reports_n8n_reachable_and_not_configured()
    {
        await using var configured = n8n.Services();
        var probe = Assert.Single(configured.GetServices<IDependencyProbe>(), p => p.Name == "n8n");
        var state = await probe.ProbeAsync(default);
        Assert.Equal(DependencyStatus.Reachable, state.Status);

        await using var unconfigured = n8n.Services(new() { ["N8n:BaseUrl"] = string.Empty });
        var none = Assert.Single(unconfigured.GetServices<IDependencyProbe>(), p => p.Name == "n8n");
        Assert.Equal(DependencyStatus.NotConfigured, (await none.ProbeAsync(default)).Status);
    }

    /// <summary>What the run engine does durably (checkpoint, sleep NextCheckAfter, poll), compressed: bounded by a deadline, not timed.</summary>
    private static async Task<JobStatus> PollUntilDoneAsync(N8nWorkflowJobs jobs, JobReference reference)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var status = await jobs.PollAsync(reference, deadline.Token);
            if (status is not JobStatus.Pending)
            {
                return status;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
        }
    }
}
