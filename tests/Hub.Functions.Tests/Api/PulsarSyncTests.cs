using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Pulsar;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>Syncs into Pulsar through the hub's WebSocket client: dropped connections and a broker outage lose nothing and duplicate nothing.</summary>
[Collection(PulsarHub.Name)]
public sealed class PulsarSyncTests(PulsarHubFixture fixture) : PulsarTenantTests(fixture, "acme")
{
    public override Task DisposeAsync()
    {
        _pulsar.ComeBack();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task Connections_dropped_mid_sync_still_deliver_every_record_once_in_order_and_the_run_succeeds()
    {
        await CreateSampleAsync("drops", 500, 50);
        _pulsar.DropProducerAfter(73, 140, 211);

        var run = await RunAsync("drops");

        var messages = MessagesOf("drops");
        var subjects = messages.Select(m => JsonDocument.Parse(m.Text).RootElement.GetProperty("subject").GetString()).ToList();
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(500, messages.Count);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), subjects);
        Assert.Equal(messages.Select(m => m.SequenceId).Order(), messages.Select(m => m.SequenceId));
        Assert.All(messages, m => Assert.Equal(JsonDocument.Parse(m.Text).RootElement.GetProperty("subject").GetString(), m.Key));
    }

    [Fact]
    public async Task With_the_broker_down_the_run_waits_without_moving_the_cursor_and_finishes_when_it_is_back()
    {
        var integration = await CreateSampleAsync("outage", 200, 50);
        _pulsar.GoDownAfter(120);

        using var started = await _tenant.PostAsync(new Uri("api/v1/integrations/outage/run", UriKind.Relative), null);
        var location = started.Headers.Location!.ToString();
        await Eventually.TrueAsync(async () => (await _tenant.GetFromJsonAsync<JsonElement>(location)).GetProperty("status").GetString() == "waiting", "the run to wait for the broker");
        var state = await _hub.Stores.GetRequiredService<IntegrationStore>().GetStateAsync(_tenantId, integration.Id, default);
        var committed = state.Cursor?.GetProperty("position").GetInt64() ?? 0;

        _pulsar.ComeBack();
        await Eventually.TrueAsync(
            async () => (await _tenant.GetFromJsonAsync<JsonElement>(location)).GetProperty("status").GetString() == "succeeded", // its orchestration retries after a durable-timer backoff
            "the run to finish after the outage",
            TimeSpan.FromSeconds(60));

        Assert.True(committed <= 100, $"the cursor moved past unacknowledged records: {committed}");
        var messages = MessagesOf("outage");
        Assert.Equal(200, messages.Count);
        Assert.Equal(200, messages.Select(m => m.Key).Distinct().Count());
    }

    // Both tests' integrations publish to the tenant's sample topic; each has its own producer.
    private List<StoredMessage> MessagesOf(string integrationId) =>
        _pulsar.Messages(Topic).Where(m => m.ProducerName == $"hub-{_tenantId}-{integrationId}-events").ToList();

    private async Task<JsonElement> RunAsync(string integrationId)
    {
        using var started = await _tenant.PostAsync(new Uri($"api/v1/integrations/{integrationId}/run", UriKind.Relative), null);
        var location = started.Headers.Location!.ToString();
        JsonElement run = default;
        await Eventually.TrueAsync(async () => (run = await _tenant.GetFromJsonAsync<JsonElement>(location)).GetProperty("status").GetString() is "succeeded" or "failed", "the run to end", TimeSpan.FromSeconds(60));
        return run;
    }

    private Task<Integration> CreateSampleAsync(string id, long count, int pageSize) =>
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
