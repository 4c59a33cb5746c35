using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.Secrets;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>Syncs started from the HTTP API: 202 + status URL, visible progress, history, and the events they published.</summary>
[Collection(RunsHub.Name)]
public sealed class RunsApiTests(RunsHubFixture fixture) : IAsyncLifetime
{
    private readonly GitHubDouble _github = fixture.GitHub;
    private readonly HubHost _hub = fixture.Hub;

    // A tenant per test: the collection's host and database outlive the test.
    private readonly string _tenantId = $"runner-{Guid.NewGuid():N}"[..15];
    private HttpClient _tenant = null!;

    public async Task InitializeAsync() => (_tenant, _) = await _hub.TenantAsync(_tenantId);

    public Task DisposeAsync()
    {
        _tenant.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_sample_sync_started_over_http_answers_202_shows_progress_and_succeeds()
    {
        // 100 pages, each written to the Cosmos event log: long enough for progress to be seen between polls.
        await CreateIntegrationAsync("sample-http", "sample", "events", new { count = 1500, pageSize = 15 });

        using var started = await _tenant.PostAsync(new Uri("api/v1/integrations/sample-http/run", UriKind.Relative), null);
        var location = started.Headers.Location!.ToString();
        var observed = new List<JsonElement>();
        JsonElement run = default;
        await Eventually.TrueAsync(
            async () =>
            {
                run = await _tenant.GetFromJsonAsync<JsonElement>(location);
                observed.Add(run);
                return run.GetProperty("status").GetString() is "succeeded" or "failed";
            },
            "the run to end",
            TimeSpan.FromSeconds(90)); // a loaded machine: two hosts share the emulator

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.StartsWith("/api/v1/runs/", location, StringComparison.Ordinal);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(1500, run.GetProperty("progress").GetProperty("recordsPublished").GetInt64());
        Assert.Contains(observed, r => r.GetProperty("status").GetString() == "running" && r.GetProperty("progress").GetProperty("pages").GetInt64() is > 0 and < 100);
        Assert.All(run.GetProperty("steps").EnumerateArray(), s => Assert.Equal("succeeded", s.GetProperty("status").GetString()));
        var events = await _tenant.GetFromJsonAsync<JsonElement>("api/v1/events?integrationId=sample-http&limit=200");
        Assert.Equal("cosmos", events.GetProperty("sink").GetString());
        Assert.Equal(200, events.GetProperty("items").GetArrayLength());
        Assert.True(events.TryGetProperty("continuationToken", out _));
    }

    [Fact]
    public async Task A_github_sync_through_its_double_publishes_every_issue_and_is_in_the_history()
    {
        for (var i = 0; i < 7; i++)
        {
            _github.AddIssue($"issue {i}", DateTimeOffset.UtcNow.AddMinutes(-10 + i));
        }

        await _hub.Stores.GetRequiredService<ISecretStore>().CreateAsync(_tenantId, "gh-cred", SecretValues.From([new("token", _github.Token)]), default);
        await CreateIntegrationAsync("github-http", "github", "issues", new { owner = "octo", repository = "hub", apiBaseUrl = _github.BaseAddress.ToString().TrimEnd('/'), pageSize = 3 }, "gh-cred");

        // The collection shares the double (other tests add issues too): the sync must publish every issue it holds, once.
        using var github = new HttpClient { BaseAddress = _github.BaseAddress };
        github.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _github.Token);
        var issues = (await github.GetFromJsonAsync<JsonElement>("repos/octo/hub/issues?state=all&per_page=100")).GetArrayLength();
        Assert.True(issues >= 7, $"the double holds {issues} issues");

        var runId = await RunToEndAsync("github-http");

        var run = await _tenant.GetFromJsonAsync<JsonElement>($"api/v1/runs/{runId}");
        var history = await _tenant.GetFromJsonAsync<JsonElement>("api/v1/integrations/github-http/runs");
        var events = await _tenant.GetFromJsonAsync<JsonElement>("api/v1/events?integrationId=github-http");
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(issues, run.GetProperty("progress").GetProperty("recordsPublished").GetInt64());
        Assert.Equal(runId, history.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(issues, events.GetProperty("items").GetArrayLength());
        Assert.All(events.GetProperty("items").EnumerateArray(), e => Assert.Equal("com.integrationhub.github.issues.upserted", e.GetProperty("event").GetProperty("type").GetString()));
        Assert.DoesNotContain(_github.Token, _hub.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_start_while_a_run_is_going_is_a_conflict_naming_the_run()
    {
        await CreateIntegrationAsync("sample-busy", "sample", "events", new { count = 3000, pageSize = 10 });
        using var first = await _tenant.PostAsync(new Uri("api/v1/integrations/sample-busy/run", UriKind.Relative), null);

        using var second = await _tenant.PostAsync(new Uri("api/v1/integrations/sample-busy/run", UriKind.Relative), null);
        using var cancel = await _tenant.PostAsync(new Uri(first.Headers.Location + "/cancel", UriKind.Relative), null);
        await Eventually.TrueAsync(async () => (await _tenant.GetFromJsonAsync<JsonElement>(first.Headers.Location!.ToString())).GetProperty("status").GetString() == "cancelled", "the cancelled run to stop", TimeSpan.FromSeconds(90));

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains(first.Headers.Location!.ToString().Split('/')[^1], await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var cancelled = await _tenant.GetFromJsonAsync<JsonElement>(first.Headers.Location!.ToString());
        Assert.True(cancelled.GetProperty("progress").GetProperty("recordsPublished").GetInt64() < 3000);
    }

    [Fact]
    public async Task Waiting_on_a_run_answers_with_the_ended_run_in_one_request()
    {
        await CreateIntegrationAsync("sample-wait", "sample", "events", new { count = 40, pageSize = 10 });
        using var started = await _tenant.PostAsync(new Uri("api/v1/integrations/sample-wait/run", UriKind.Relative), null);

        using var answer = await _tenant.GetAsync(new Uri($"{started.Headers.Location}?waitSeconds=60", UriKind.Relative));

        var run = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(40, run.GetProperty("progress").GetProperty("recordsPublished").GetInt64());
        Assert.Null(answer.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_run_still_going_when_the_wait_is_over_is_answered_as_it_is_with_retry_after()
    {
        await CreateIntegrationAsync("sample-outlast", "sample", "events", new { count = 3000, pageSize = 10 });
        using var started = await _tenant.PostAsync(new Uri("api/v1/integrations/sample-outlast/run", UriKind.Relative), null);

        using var answer = await _tenant.GetAsync(new Uri($"{started.Headers.Location}?waitSeconds=1", UriKind.Relative));
        using var cancel = await _tenant.PostAsync(new Uri(started.Headers.Location + "/cancel", UriKind.Relative), null);

        var run = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains(run.GetProperty("status").GetString(), new[] { "pending", "running" });
        Assert.NotNull(answer.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_start_that_waits_answers_200_with_the_ended_run_in_one_request()
    {
        await CreateIntegrationAsync("sample-startwait", "sample", "events", new { count = 40, pageSize = 10 });

        using var answer = await _tenant.PostAsync(new Uri("api/v1/integrations/sample-startwait/run?waitSeconds=60", UriKind.Relative), null);

        var run = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(40, run.GetProperty("progress").GetProperty("recordsPublished").GetInt64());
        Assert.Equal($"/api/v1/runs/{run.GetProperty("id").GetString()}", answer.Content.Headers.ContentLocation?.ToString());
        Assert.Null(answer.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_start_that_outlasts_its_wait_answers_202_with_the_location_to_follow()
    {
        await CreateIntegrationAsync("sample-startoutlast", "sample", "events", new { count = 3000, pageSize = 10 });

        using var answer = await _tenant.PostAsync(new Uri("api/v1/integrations/sample-startoutlast/run?waitSeconds=1", UriKind.Relative), null);
        using var cancel = await _tenant.PostAsync(new Uri(answer.Headers.Location + "/cancel", UriKind.Relative), null);

        var run = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Equal($"/api/v1/runs/{run.GetProperty("id").GetString()}", answer.Headers.Location?.ToString());
        Assert.Contains(run.GetProperty("status").GetString(), new[] { "pending", "running" });
        Assert.NotNull(answer.Headers.RetryAfter);
    }

    [Theory]
    [InlineData("61")]
    [InlineData("soon")]
    public async Task A_start_with_a_bad_wait_is_a_problem_and_starts_nothing(string value)
    {
        await CreateIntegrationAsync("sample-startbad", "sample", "events", new { count = 5, pageSize = 5 });

        using var answer = await _tenant.PostAsync(new Uri($"api/v1/integrations/sample-startbad/run?waitSeconds={value}", UriKind.Relative), null);

        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
        var history = await _tenant.GetFromJsonAsync<JsonElement>("api/v1/integrations/sample-startbad/runs");
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("0 to 60", problem.GetProperty("errors").GetProperty("waitSeconds")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, history.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("61")]
    [InlineData("1.5")]
    [InlineData("soon")]
    public async Task A_wait_that_is_not_0_to_60_whole_seconds_is_a_problem_naming_waitSeconds(string value)
    {
        await CreateIntegrationAsync("sample-badwait", "sample", "events", new { count = 5, pageSize = 5 });
        var runId = await RunToEndAsync("sample-badwait");

        using var answer = await _tenant.GetAsync(new Uri($"api/v1/runs/{runId}?waitSeconds={Uri.EscapeDataString(value)}", UriKind.Relative));

        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains("0 to 60", problem.GetProperty("errors").GetProperty("waitSeconds")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_tenants_runs_and_integrations_are_not_found()
    {
        await CreateIntegrationAsync("sample-private", "sample", "events", new { count = 5, pageSize = 5 });
        var runId = await RunToEndAsync("sample-private");
        var (other, _) = await _hub.TenantAsync($"intruder-{Guid.NewGuid():N}"[..17]);
        using var _o = other;

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(new Uri($"api/v1/runs/{runId}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync(new Uri($"api/v1/runs/{runId}/cancel", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync(new Uri("api/v1/integrations/sample-private/run", UriKind.Relative), null)).StatusCode);
        Assert.Equal(0, (await other.GetFromJsonAsync<JsonElement>("api/v1/events?integrationId=sample-private")).GetProperty("items").GetArrayLength());
    }

    private async Task<string> RunToEndAsync(string integrationId)
    {
        using var started = await _tenant.PostAsync(new Uri($"api/v1/integrations/{integrationId}/run", UriKind.Relative), null);
        started.EnsureSuccessStatusCode();
        var location = started.Headers.Location!.ToString();
        await Eventually.TrueAsync(async () => (await _tenant.GetFromJsonAsync<JsonElement>(location)).GetProperty("status").GetString() is "succeeded" or "failed", "the run to end", TimeSpan.FromSeconds(90));
        return location.Split('/')[^1];
    }

    private Task<Integration> CreateIntegrationAsync(string id, string connector, string stream, object configuration, string? credentialId = null) =>
        _hub.Stores.GetRequiredService<IntegrationStore>().CreateAsync(
            new Integration
            {
                Id = id,
                TenantId = _tenantId,
                Name = id,
                ConnectorId = connector,
                Stream = stream,
                CredentialId = credentialId,
                Configuration = JsonSerializer.SerializeToElement(configuration),
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            default);
}
