using System.Diagnostics.Metrics;
using System.Text.Json;
using IntegrationHub.Pulsar.Diagnostics;
using IntegrationHub.Pulsar.Events;
using IntegrationHub.Shared.Events;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Pulsar.Tests.Producer;

public sealed class EventSinkTests
{
    private static readonly string Topic = PulsarHarness.Topic("hub.acme.github.issues");

    [Fact]
    public async Task Publishes_each_event_as_a_structured_CloudEvent_with_key_and_routing_properties()
    {
        await using var hub = await PulsarHarness.StartAsync();

        await hub.Sink.PublishAsync(PulsarHarness.Batch("hub.acme.github.issues", "hub-acme-int-1-issues", 0, 5), CancellationToken.None);

        var stored = hub.Pulsar.Messages(Topic);
        Assert.Equal(5, stored.Count);
        Assert.Equal("pulsar", hub.Sink.Name);
        var first = stored[0];
        Assert.Equal("key-0", first.Key);
        Assert.Equal("hub-acme-int-1-issues", first.ProducerName);
        using var json = JsonDocument.Parse(first.Payload);
        var root = json.RootElement;
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal(EventIds.For("int-1", "issues", "rec-0", "v1"), root.GetProperty("id").GetString());
        Assert.Equal("com.integrationhub.github.issues.upserted", root.GetProperty("type").GetString());
        Assert.Equal("acme", root.GetProperty("tenantid").GetString());
        Assert.Equal("run-1", root.GetProperty("runid").GetString());
        Assert.Equal(0, root.GetProperty("data").GetProperty("number").GetInt32());
        Assert.Equal(PulsarEventSink.ContentType, first.Properties["content-type"]);
        Assert.Equal(root.GetProperty("id").GetString(), first.Properties["ce-id"]);
        Assert.Equal("acme", first.Properties["tenantid"]);
        Assert.Equal("int-1", first.Properties["integrationid"]);
        Assert.Equal("issues", first.Properties["stream"]);
    }

    [Fact]
    public async Task Sessions_carry_the_stable_producer_name_the_initial_sequence_id_and_no_proxy_send_timeout()
    {
        await using var hub = await PulsarHarness.StartAsync();

        await hub.Sink.PublishAsync(PulsarHarness.Batch("hub.acme.github.issues", "hub-acme-int-1-issues", 42, 3), CancellationToken.None);

        var upgrade = Assert.Single(hub.Pulsar.Requests, r => r.PathAndQuery.StartsWith("/ws/v2/producer/", StringComparison.Ordinal));
        Assert.StartsWith("/ws/v2/producer/persistent/public/default/hub.acme.github.issues?", upgrade.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("producerName=hub-acme-int-1-issues", upgrade.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("initialSequenceId=41", upgrade.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("sendTimeoutMillis=0&", upgrade.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("batchingEnabled=false", upgrade.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal([42L, 43L, 44L], hub.Pulsar.Messages(Topic).Select(m => m.SequenceId));
    }

    [Fact]
    public async Task Dropped_connections_in_the_middle_of_a_stream_store_every_message_exactly_once_in_order_per_key()
    {
        await using var hub = await PulsarHarness.StartAsync();
        const int count = 300;
        var batch = PulsarHarness.Batch("hub.acme.github.issues", "hub-acme-int-1-issues", 1_000, count, keys: 7);

        // Three drops, each right after a message was stored and before its receipt went out: the receipt is lost,
        // so the producer must re-send it (and the in-flight ones behind it) on a new session.
        hub.Pulsar.DropProducerAfter(37, 61, 90);
        await hub.Sink.PublishAsync(batch, CancellationToken.None);

        var stored = hub.Pulsar.Messages(Topic);
        Assert.Equal(count, stored.Count);
        Assert.Equal(Enumerable.Range(1_000, count).Select(i => (long)i), stored.Select(m => m.SequenceId));
        Assert.Equal(batch.Events.Select(e => e.Event.Id), stored.Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("id").GetString()));
        foreach (var key in stored.GroupBy(m => m.Key))
        {
            var sequence = key.Select(m => m.SequenceId).ToList();
            Assert.Equal(sequence.Order(), sequence);
        }

        Assert.True(hub.Pulsar.ProducerSessions >= 4, $"expected a new session after each drop, saw {hub.Pulsar.ProducerSessions}");
        Assert.True(hub.Pulsar.DuplicatesDropped >= 3, $"the re-sent, already stored messages must reach the broker and be dropped by deduplication; saw {hub.Pulsar.DuplicatesDropped}");
    }

    [Fact]
    public async Task Publishing_the_same_batch_again_after_a_crash_stores_nothing_twice()
    {
        await using var hub = await PulsarHarness.StartAsync();
        await hub.Sink.PublishAsync(PulsarHarness.Batch("hub.acme.github.issues", "hub-acme-int-1-issues", 0, 10), CancellationToken.None);

        // The app crashes (its session goes away with the process) before saving its cursor; a new instance
        // publishes from the same point, and further.
        hub.Pulsar.DropAllConnections();
        await using var restarted = hub.NewInstance();
        using var duplicates = new PublishedCounter("duplicate", restarted.GetRequiredService<IMeterFactory>());
        await restarted.GetRequiredService<IEventSink>().PublishAsync(PulsarHarness.Batch("hub.acme.github.issues", "hub-acme-int-1-issues", 0, 15), CancellationToken.None);

        var stored = hub.Pulsar.Messages(Topic);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), stored.Select(m => m.SequenceId));
        Assert.Equal(10, hub.Pulsar.DuplicatesDropped);
        Assert.Equal(10, duplicates.Total);
    }

    [Fact]
    public async Task Sequence_id_gaps_open_a_new_session_so_each_message_keeps_its_own_sequence_id()
    {
        await using var hub = await PulsarHarness.StartAsync();
        var batch = PulsarHarness.Batch("hub.acme.github.issues", "p", 0, 5);
        var gapped = batch with { Events = [batch.Events[0], batch.Events[1] with { SequenceId = 1 }, batch.Events[2] with { SequenceId = 10 }, batch.Events[3] with { SequenceId = 11 }, batch.Events[4] with { SequenceId = 20 }] };

        await hub.Sink.PublishAsync(gapped, CancellationToken.None);

        Assert.Equal([0L, 1L, 10L, 11L, 20L], hub.Pulsar.Messages(Topic).Select(m => m.SequenceId));
    }

    [Fact]
    public async Task Sequence_ids_that_do_not_increase_are_a_permanent_failure()
    {
        await using var hub = await PulsarHarness.StartAsync();
        var batch = PulsarHarness.Batch("hub.acme.github.issues", "p", 5, 2);
        var backwards = batch with { Events = [batch.Events[1], batch.Events[0]] };

        var error = await Assert.ThrowsAsync<EventPublishException>(() => hub.Sink.PublishAsync(backwards, CancellationToken.None));

        Assert.False(error.IsTransient);
        Assert.Empty(hub.Pulsar.Messages(Topic));
    }

    [Fact]
    public async Task With_the_broker_down_publishing_fails_transiently_and_nothing_is_lost_when_it_comes_back()
    {
        await using var hub = await PulsarHarness.StartAsync(new() { ["Pulsar:MaxSendAttempts"] = "3" });
        await hub.Sink.PublishAsync(PulsarHarness.Batch("hub.acme.github.issues", "p", 0, 5), CancellationToken.None);
        hub.Pulsar.GoDown();

        var error = await Assert.ThrowsAsync<EventPublishException>(() => hub.Sink.PublishAsync(PulsarHarness.Batch("hub.acme.github.issues", "p", 5, 5), CancellationToken.None));
        Assert.True(error.IsTransient);
        Assert.Contains("503", error.Message, StringComparison.Ordinal);

        hub.Pulsar.ComeBack();
        await hub.Sink.PublishAsync(PulsarHarness.Batch("hub.acme.github.issues", "p", 5, 5), CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), hub.Pulsar.Messages(Topic).Select(m => m.SequenceId));
    }

    [Fact]
    public async Task A_broker_that_goes_down_mid_batch_loses_nothing_once_the_batch_is_published_again()
    {
        await using var hub = await PulsarHarness.StartAsync(new() { ["Pulsar:MaxSendAttempts"] = "2" });
        var batch = PulsarHarness.Batch("hub.acme.github.issues", "p", 0, 50);
        hub.Pulsar.GoDownAfter(20);

        var error = await Assert.ThrowsAsync<EventPublishException>(() => hub.Sink.PublishAsync(batch, CancellationToken.None));
        Assert.True(error.IsTransient);
        Assert.Equal(20, hub.Pulsar.Messages(Topic).Count);

        hub.Pulsar.ComeBack();
        await hub.Sink.PublishAsync(batch, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), hub.Pulsar.Messages(Topic).Select(m => m.SequenceId));
    }

    [Fact]
    public async Task Refused_sends_are_resent_on_a_new_session_until_the_broker_accepts_them()
    {
        await using var hub = await PulsarHarness.StartAsync(new() { ["Pulsar:MaxSendAttempts"] = "50" });
        hub.Pulsar.RefuseSends = true;

        var publishing = hub.Sink.PublishAsync(PulsarHarness.Batch("hub.acme.github.issues", "p", 0, 8), CancellationToken.None);
        while (hub.Pulsar.ProducerSessions < 2 && !publishing.IsCompleted)
        {
            await Task.Delay(5);
        }

        Assert.False(publishing.IsCompleted, "a publish must not complete while every send is refused");
        hub.Pulsar.RefuseSends = false;
        await publishing;

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), hub.Pulsar.Messages(Topic).Select(m => m.SequenceId));
    }

    [Fact]
    public async Task A_missing_receipt_times_out_as_a_transient_failure_and_a_retry_stores_each_message_once()
    {
        await using var hub = await PulsarHarness.StartAsync(new() { ["Pulsar:SendTimeout"] = "00:00:01", ["Pulsar:MaxSendAttempts"] = "2" });
        hub.Pulsar.SwallowReceipts = true;
        var batch = PulsarHarness.Batch("hub.acme.github.issues", "p", 0, 3);

        var error = await Assert.ThrowsAsync<EventPublishException>(() => hub.Sink.PublishAsync(batch, CancellationToken.None));
        Assert.True(error.IsTransient);
        Assert.Contains("No receipt", error.Message, StringComparison.Ordinal);

        hub.Pulsar.SwallowReceipts = false;
        await hub.Sink.PublishAsync(batch, CancellationToken.None);
        Assert.Equal([0L, 1L, 2L], hub.Pulsar.Messages(Topic).Select(m => m.SequenceId));
    }

    [Fact]
    public async Task The_token_goes_in_the_authorization_header_never_in_the_url_or_an_error()
    {
        await using var hub = await PulsarHarness.StartAsync(new() { ["Pulsar:Token"] = "eyJhbGciOi.secret-token" });
        hub.Pulsar.RequiredToken = "eyJhbGciOi.secret-token";

        await hub.Sink.PublishAsync(PulsarHarness.Batch("hub.acme.github.issues", "p", 0, 1), CancellationToken.None);

        var upgrade = Assert.Single(hub.Pulsar.Requests, r => r.PathAndQuery.StartsWith("/ws/", StringComparison.Ordinal));
        Assert.Equal("Bearer eyJhbGciOi.secret-token", upgrade.Headers["Authorization"]);
        Assert.DoesNotContain("secret-token", upgrade.PathAndQuery, StringComparison.Ordinal);

        hub.Pulsar.RequiredToken = "another-token";
        var error = await Assert.ThrowsAsync<EventPublishException>(() => hub.Sink.PublishAsync(PulsarHarness.Batch("hub.acme.github.issues", "p2", 0, 1), CancellationToken.None));
        Assert.False(error.IsTransient);
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", error.ToString(), StringComparison.Ordinal);
    }

    private sealed class PublishedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        // Only the given instance's meter: test classes running at the same time publish on meters of the same name.
        public PublishedCounter(string result, IMeterFactory instance)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PulsarMetrics.MeterName && instrument.Name == "hub.pulsar.messages.published" && ReferenceEquals(instrument.Meter.Scope, instance))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "result" && (string?)tag.Value == result)
                    {
                        Interlocked.Add(ref _total, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
