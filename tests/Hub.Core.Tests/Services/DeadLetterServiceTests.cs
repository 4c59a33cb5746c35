using System.Text.Json;
using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Tests.Runs;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Services;

/// <summary>What <see cref="DeadLetterService"/> refuses: another tenant's letter, a second replay, and a sink that refuses again (transient or for good).</summary>
public sealed class DeadLetterServiceTests : IAsyncLifetime
{
    private const string Tenant = "t1";
    private readonly SwitchableSink _sink = new();
    private EngineInstance _hub = null!;

    private DeadLetterService Letters => _hub.Services.GetRequiredService<DeadLetterService>();

    public async Task InitializeAsync() =>
        _hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("dlq"), services => services.AddSingleton<IEventSink>(_sink));

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_sink_that_refuses_again_is_a_dependency_refusal_and_the_letter_stays_unreplayed(bool transient)
    {
        await KeepAsync("evt-refused");
        _sink.Refusal = new EventPublishException("topic is fenced", transient);

        var refused = await Assert.ThrowsAsync<DependencyRefusedException>(() => Letters.ReplayAsync(Tenant, "evt-refused", default));

        Assert.Equal((transient, "topic is fenced"), (refused.IsTransient, refused.Detail));
        Assert.Null((await Letters.GetAsync(Tenant, "evt-refused", default)).ReplayedAt);
        Assert.Single((await Letters.ListAsync(Tenant, includeReplayed: false, 10, null, default)).Items);
    }

    [Fact]
    public async Task A_letter_is_replayed_once_and_a_second_replay_is_a_conflict()
    {
        await KeepAsync("evt-once");

        var replayed = await Letters.ReplayAsync(Tenant, "evt-once", default);
        var again = await Assert.ThrowsAsync<ResourceConflictException>(() => Letters.ReplayAsync(Tenant, "evt-once", default));

        Assert.NotNull(replayed.ReplayedAt);
        Assert.StartsWith("Dead letter 'evt-once' was already replayed at ", again.Message, StringComparison.Ordinal);
        Assert.Equal(1, _sink.Published);
        Assert.Empty((await Letters.ListAsync(Tenant, includeReplayed: false, 10, null, default)).Items);
    }

    [Fact]
    public async Task Another_tenants_letter_is_not_found_and_is_not_published()
    {
        await KeepAsync("evt-mine");

        var refused = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Letters.ReplayAsync("t2", "evt-mine", default));

        Assert.Equal((DeadLetterService.Kind, "evt-mine"), (refused.Kind, refused.Id));
        Assert.Equal(0, _sink.Published);
    }

    private Task KeepAsync(string eventId)
    {
        var cloudEvent = new CloudEvent { Id = eventId, Source = "/tests", Type = "hub.test", TenantId = Tenant, Data = JsonSerializer.SerializeToElement(new { n = 1 }) };
        return _hub.Services.GetRequiredService<DeadLetterStore>()
            .KeepAsync(new EventBatch("events", "producer-1", [new OutboundEvent(1, eventId, cloudEvent)]), "refused by the test", null, null, default);
    }

    /// <summary>A sink that refuses with <see cref="Refusal"/> while it is set, and counts what it accepted.</summary>
    private sealed class SwitchableSink : IEventSink
    {
        private int _published;

        public EventPublishException? Refusal { get; set; }

        public int Published => _published;

        public string Name => "test";

        public Task PublishAsync(EventBatch batch, CancellationToken cancellationToken)
        {
            if (Refusal is { } refusal)
            {
                throw refusal;
            }

            Interlocked.Add(ref _published, batch.Events.Count);
            return Task.CompletedTask;
        }
    }
}
