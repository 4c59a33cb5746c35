using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>Events the sink refuses for good are kept with the reason, listed, and can be replayed once it accepts them.</summary>
public sealed class DeadLettersApiTests : IAsyncLifetime
{
    private readonly RefusingSink _sink = new();
    private HubHost _hub = null!;
    private HttpClient _tenant = null!;

    public async Task InitializeAsync()
    {
        _hub = await HubHost.StartAsync(services: s => s.AddSingleton<IEventSink>(sp => _sink.Wrap(sp.GetRequiredService<CosmosEventLog>())));
        (_tenant, _) = await _hub.TenantAsync("dl");
    }

    public async Task DisposeAsync()
    {
        _tenant.Dispose();
        await _hub.DisposeAsync();
    }

    [Fact]
    public async Task Refused_events_become_dead_letters_with_the_reason_and_a_replay_publishes_one_once()
    {
        await _hub.Services.GetRequiredService<IntegrationStore>().CreateAsync(
            new Integration { Id = "refused", TenantId = "dl", Name = "refused", ConnectorId = "sample", Stream = "events", Configuration = JsonSerializer.SerializeToElement(new { count = 12, pageSize = 5 }), CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow },
            default);
        using var started = await _tenant.PostAsync(new Uri("api/v1/integrations/refused/run", UriKind.Relative), null);
        var location = started.Headers.Location!.ToString();
        JsonElement run = default;
        await Eventually.TrueAsync(async () => (run = await _tenant.GetFromJsonAsync<JsonElement>(location)).GetProperty("status").GetString() is "succeeded" or "failed", "the run to end");

        var letters = await _tenant.GetFromJsonAsync<JsonElement>("api/v1/events/dead-letters?limit=50");
        var first = letters.GetProperty("items")[0];
        _sink.Refuse = false;
        using var replayed = await _tenant.PostAsync(new Uri($"api/v1/events/dead-letters/{first.GetProperty("id").GetString()}/replay", UriKind.Relative), null);
        using var again = await _tenant.PostAsync(new Uri($"api/v1/events/dead-letters/{first.GetProperty("id").GetString()}/replay", UriKind.Relative), null);
        var remaining = await _tenant.GetFromJsonAsync<JsonElement>("api/v1/events/dead-letters?limit=50");
        var events = await _tenant.GetFromJsonAsync<JsonElement>("api/v1/events?integrationId=refused");

        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(12, run.GetProperty("progress").GetProperty("recordsDeadLettered").GetInt64());
        Assert.Equal(0, run.GetProperty("progress").GetProperty("recordsPublished").GetInt64());
        Assert.Equal(12, letters.GetProperty("items").GetArrayLength());
        Assert.Contains("message too large", first.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(11, remaining.GetProperty("items").GetArrayLength());
        var published = Assert.Single(events.GetProperty("items").EnumerateArray());
        Assert.Equal(first.GetProperty("id").GetString(), published.GetProperty("id").GetString());
        var state = await _hub.Services.GetRequiredService<IntegrationStore>().GetStateAsync("dl", "refused", default);
        Assert.Equal(12, state.Cursor!.Value.GetProperty("position").GetInt64()); // kept, so the sync moved on
    }

    private sealed class RefusingSink
    {
        public bool Refuse { get; set; } = true;

        public IEventSink Wrap(CosmosEventLog inner) => new Sink(this, inner);

        private sealed class Sink(RefusingSink owner, CosmosEventLog inner) : IEventSink
        {
            public string Name => inner.Name;

            public Task PublishAsync(EventBatch batch, CancellationToken cancellationToken) => owner.Refuse
                ? throw new EventPublishException("message too large for the topic (test)", isTransient: false)
                : inner.PublishAsync(batch, cancellationToken);
        }
    }
}
