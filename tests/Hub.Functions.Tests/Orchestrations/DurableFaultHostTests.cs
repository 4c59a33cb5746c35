using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.Secrets;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Pulsar;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Functions.Tests.Orchestrations;

/// <summary>
/// Faults outside the hub while a run's orchestration is on the real Functions host, seen through the API and the
/// Pulsar WebSocket double: a source that answers 429 with <c>Retry-After</c> (the run shows <c>rate_limited</c> until
/// then, on a durable timer, and publishes every record once), and a sink that goes down mid-sync (the run waits with
/// the reason, its cursor stays, and when the broker is back every event is there once with contiguous sequence ids).
/// </summary>
[Collection(PulsarHub.Name)]
public sealed class DurableFaultHostTests(PulsarHubFixture fixture) : IAsyncLifetime
{
    private readonly PulsarWebSocketDouble _pulsar = fixture.Pulsar;
    private readonly HubHost _hub = fixture.Hub;
    private readonly string _tenantId = $"fault-{Guid.NewGuid():N}"[..14];
    private HttpClient _tenant = null!;

    public async Task InitializeAsync() => (_tenant, _) = await _hub.TenantAsync(_tenantId);

    public Task DisposeAsync()
    {
        _pulsar.ComeBack();
        _tenant.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_429_with_Retry_After_on_a_later_page_shows_the_run_rate_limited_and_it_then_publishes_every_record_once()
    {
        await using var github = new GitHubDouble(); // of this test alone: it counts its requests
        await github.StartAsync();
        var since = DateTimeOffset.UtcNow.AddDays(-1);
        for (var i = 0; i < 9; i++)
        {
            github.AddIssue($"issue {i}", since.AddMinutes(i));
        }

        var integrationId = await GitHubIntegrationAsync(github, pageSize: 3);
        github.FailNth("/repos/octo/hub/issues", 2, 429, """{"message":"You have exceeded a secondary rate limit."}""", ("Retry-After", "2"));

        using var started = await _tenant.PostAsync(new Uri($"api/v1/integrations/{integrationId}/run", UriKind.Relative), null);
        var location = started.Headers.Location!.ToString();
        JsonElement limited = default;
        await Eventually.TrueAsync(async () => (limited = await _tenant.GetFromJsonAsync<JsonElement>(location)).GetProperty("status").GetString() is "rate_limited" or "succeeded" or "failed", "the run to show the rate limit");
        var done = await EndAsync(location);

        Assert.Equal("rate_limited", limited.GetProperty("status").GetString());
        Assert.Contains("429", limited.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(limited.GetProperty("nextAttemptAt").GetDateTimeOffset() > limited.GetProperty("createdAt").GetDateTimeOffset(), "no resume time shown");
        Assert.Equal(3, limited.GetProperty("progress").GetProperty("recordsPublished").GetInt64()); // page 1 only: the limited page published nothing
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(9, done.GetProperty("progress").GetProperty("recordsPublished").GetInt64());
        var messages = _pulsar.Messages(Topic("github.issues")).Where(m => m.ProducerName == $"hub-{_tenantId}-{integrationId}-issues").ToList();
        Assert.Equal(9, messages.Count);
        Assert.Equal(9, messages.Select(m => m.Key).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), messages.Select(m => m.SequenceId));
    }

    [Fact]
    public async Task With_the_sink_down_mid_sync_the_run_waits_with_the_reason_its_cursor_stays_and_it_finishes_once_when_the_sink_is_back()
    {
        var integration = await SampleAsync("down", count: 500, pageSize: 50);
        _pulsar.GoDownAfter(120); // pages 1 and 2 acknowledged, page 3 not

        using var started = await _tenant.PostAsync(new Uri("api/v1/integrations/down/run", UriKind.Relative), null);
        var location = started.Headers.Location!.ToString();
        JsonElement waiting = default;
        await Eventually.TrueAsync(async () => (waiting = await _tenant.GetFromJsonAsync<JsonElement>(location)).GetProperty("status").GetString() is "waiting" or "succeeded" or "failed", "the run to wait for the sink");
        var states = _hub.Stores.GetRequiredService<IntegrationStore>();
        var runs = _hub.Stores.GetRequiredService<RunStore>();
        var runId = waiting.GetProperty("id").GetString()!;
        var before = await states.GetStateAsync(_tenantId, integration.Id, default);

        // A second attempt fails while the sink is still down: the cursor and the sequence are where they were.
        await Eventually.TrueAsync(async () => (await runs.GetAsync(_tenantId, runId, default))!.Steps[0].Attempts >= 2, "a retry while the sink is down", TimeSpan.FromSeconds(60));
        var during = await states.GetStateAsync(_tenantId, integration.Id, default);
        _pulsar.ComeBack();
        var done = await EndAsync(location);

        Assert.Equal("waiting", waiting.GetProperty("status").GetString());
        Assert.Contains("unavailable", waiting.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(JsonElement.DeepEquals(before.Cursor!.Value, during.Cursor!.Value), $"the cursor moved while the sink was down: {before.Cursor} → {during.Cursor}");
        Assert.Equal(before.NextSequenceId, during.NextSequenceId);
        Assert.True(before.NextSequenceId <= 101, $"the sequence passed unacknowledged events: next {before.NextSequenceId}");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        var messages = _pulsar.Messages(Topic("sample.events")).Where(m => m.ProducerName == $"hub-{_tenantId}-down-events").ToList();
        Assert.Equal(500, messages.Count);
        Assert.Equal(500, messages.Select(m => m.Key).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), messages.Select(m => m.SequenceId));
        Assert.Equal(501, (await states.GetStateAsync(_tenantId, integration.Id, default)).NextSequenceId);
    }

    private string Topic(string stream) => $"persistent://public/default/hub.{_tenantId}.{stream}";

    private async Task<JsonElement> EndAsync(string location)
    {
        JsonElement run = default;
        await Eventually.TrueAsync(async () => (run = await _tenant.GetFromJsonAsync<JsonElement>(location)).GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", "the run to end", TimeSpan.FromSeconds(90));
        return run;
    }

    // Seeded through the hub's own stores (in the test process, on the host's database), as the API would store them.
    private async Task<string> GitHubIntegrationAsync(GitHubDouble github, int pageSize)
    {
        var credentialId = $"cred-{Guid.NewGuid():N}";
        await _hub.Stores.GetRequiredService<ISecretStore>().CreateAsync(_tenantId, credentialId, SecretValues.From(new Dictionary<string, string> { ["token"] = github.Token }), default);
        var integration = await _hub.Stores.GetRequiredService<IntegrationStore>().CreateAsync(
            new Integration
            {
                Id = $"gh-{Guid.NewGuid():N}"[..12],
                TenantId = _tenantId,
                Name = "limited issues",
                ConnectorId = "github",
                Configuration = JsonSerializer.SerializeToElement(new { owner = "octo", repository = "hub", apiBaseUrl = github.BaseAddress.ToString().TrimEnd('/'), pageSize }),
                CredentialId = credentialId,
                Stream = "issues",
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            default);
        return integration.Id;
    }

    private Task<Integration> SampleAsync(string id, long count, int pageSize) =>
        _hub.Stores.GetRequiredService<IntegrationStore>().CreateAsync(
            new Integration
            {
                Id = id,
                TenantId = _tenantId,
                Name = id,
                ConnectorId = "sample",
                Stream = "events",
                Configuration = JsonSerializer.SerializeToElement(new { count, pageSize }),
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            default);
}
