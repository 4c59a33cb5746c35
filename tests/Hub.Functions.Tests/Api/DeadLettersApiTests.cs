using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>
/// Events the sink refuses for good are kept with the reason, listed, and can be replayed once it accepts them.
/// The sink is Pulsar (its WebSocket double), refusing every send with an error no retry can cure.
/// </summary>
[Collection(PulsarHub.Name)]
public sealed class DeadLettersApiTests(PulsarHubFixture fixture) : PulsarTenantTests(fixture, "dl")
{
    public override Task DisposeAsync()
    {
        _pulsar.RefuseSends = false;
        _pulsar.RefusalCode = 8;
        return base.DisposeAsync();
    }

    [Fact]
    public async Task Refused_events_become_dead_letters_with_the_reason_and_a_replay_publishes_one_once()
    {
        await _hub.Stores.GetRequiredService<IntegrationStore>().CreateAsync(
            new Integration { Id = "refused", TenantId = _tenantId, Name = "refused", ConnectorId = "sample", Stream = "events", Configuration = JsonSerializer.SerializeToElement(new { count = 12, pageSize = 5 }), CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow },
            default);
        _pulsar.RefusalCode = 7;
        _pulsar.RefusalMessage = "message too large for the topic (test)";
        _pulsar.RefuseSends = true;
        using var started = await _tenant.PostAsync(new Uri("api/v1/integrations/refused/run", UriKind.Relative), null);
        var location = started.Headers.Location!.ToString();
        JsonElement run = default;
        await Eventually.TrueAsync(async () => (run = await _tenant.GetFromJsonAsync<JsonElement>(location)).GetProperty("status").GetString() is "succeeded" or "failed", "the run to end", TimeSpan.FromSeconds(60));

        var letters = await _tenant.GetFromJsonAsync<JsonElement>("api/v1/events/dead-letters?limit=50");
        var first = letters.GetProperty("items")[0];
        var firstId = first.GetProperty("id").GetString()!;
        _pulsar.RefuseSends = false;
        using var replayed = await _tenant.PostAsync(new Uri($"api/v1/events/dead-letters/{firstId}/replay", UriKind.Relative), null);
        using var again = await _tenant.PostAsync(new Uri($"api/v1/events/dead-letters/{firstId}/replay", UriKind.Relative), null);
        var remaining = await _tenant.GetFromJsonAsync<JsonElement>("api/v1/events/dead-letters?limit=50");

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(12, run.GetProperty("progress").GetProperty("recordsDeadLettered").GetInt64());
        Assert.Equal(0, run.GetProperty("progress").GetProperty("recordsPublished").GetInt64());
        Assert.Equal(12, letters.GetProperty("items").GetArrayLength());
        Assert.Contains("message too large", first.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(11, remaining.GetProperty("items").GetArrayLength());
        var published = Assert.Single(_pulsar.Messages(Topic));
        Assert.Equal(firstId, JsonDocument.Parse(published.Text).RootElement.GetProperty("id").GetString());
        var state = await _hub.Stores.GetRequiredService<IntegrationStore>().GetStateAsync(_tenantId, "refused", default);
        Assert.Equal(12, state.Cursor!.Value.GetProperty("position").GetInt64()); // kept, so the sync moved on
    }
}
