using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Shared.Events;

/// <summary>One event to publish, with the producer sequence id it carries (monotonic per producer, kept with the cursor).</summary>
/// <param name="SequenceId">Monotonically increasing per <see cref="EventBatch.ProducerName"/>; a broker with deduplication drops a re-send with a sequence id it has already persisted.</param>
/// <param name="Key">The routing/ordering key (Pulsar message key): events with one key keep their order.</param>
/// <param name="Event">The envelope.</param>
/// <param name="Properties">Message properties for routing, e.g. tenant, connector, stream.</param>
/// <remarks>
/// JSON: <c>{"sequenceId":n,"key":"…","event":{structured CloudEvent},"properties":{…}}</c>, where <c>event</c> is
/// <see cref="Encoded"/> written as is: the envelope is encoded once per event and the same bytes go into the
/// outbox chunk, the Cosmos event log's page document and the Pulsar message body.
/// </remarks>
[JsonConverter(typeof(OutboundEventJsonConverter))]
public sealed record OutboundEvent(long SequenceId, string Key, CloudEvent Event, IReadOnlyDictionary<string, string>? Properties = null)
{
    private readonly EncodingCache _cache = new();

    /// <summary>
    /// <see cref="Event"/> in structured mode (UTF-8 JSON, <see cref="CloudEventEnvelope.EncodeStructured"/>), encoded on
    /// first use and kept for this event (a copy with another <see cref="Event"/> encodes its own).
    /// </summary>
    /// <exception cref="ArgumentException">The SDK refuses the event (no id, source or type; an unknown spec version).</exception>
    [JsonIgnore]
    public ReadOnlyMemory<byte> Encoded
    {
        get
        {
            var cached = _cache.Entry;
            if (cached is not null && ReferenceEquals(cached.Value.For, Event))
            {
                return cached.Value.Bytes;
            }

            var bytes = CloudEventEnvelope.EncodeStructured(Event);
            _cache.Entry = (Event, bytes);
            return bytes;
        }
    }

    /// <summary>
    /// Encodes the events of a page in one batch (<see cref="CloudEventEnvelope.EncodeStructuredEach"/>) and keeps each
    /// event's bytes as its <see cref="Encoded"/>; when the SDK refuses one of them, each is encoded on its own, and one
    /// it refuses is left unencoded (its <see cref="Encoded"/> throws, for the sink to refuse it with the reason).
    /// </summary>
    public static void EncodeAll(IReadOnlyList<OutboundEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (CloudEventEnvelope.EncodeStructuredEach(events.Select(e => e.Event).ToList()) is { } each)
        {
            for (var i = 0; i < events.Count; i++)
            {
                events[i]._cache.Entry = (events[i].Event, each[i]);
            }

            return;
        }

        foreach (var e in events)
        {
            try
            {
                _ = e.Encoded;
            }
            catch (ArgumentException)
            {
                // Refused by the SDK: left for the sink to refuse, with the reason.
            }
        }
    }

    // Not part of the event's value: every cache equals every other, so record equality stays that of the four values.
    private sealed class EncodingCache
    {
        public (CloudEvent For, ReadOnlyMemory<byte> Bytes)? Entry { get; set; }

        public override bool Equals(object? obj) => obj is EncodingCache;

        public override int GetHashCode() => 0;
    }
}

/// <summary>Writes an <see cref="OutboundEvent"/> with its already encoded envelope; reads it back through the CloudEvents SDK.</summary>
internal sealed class OutboundEventJsonConverter : JsonConverter<OutboundEvent>
{
    public override OutboundEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        long sequenceId = 0;
        string? key = null;
        CloudEvent? cloudEvent = null;
        Dictionary<string, string>? properties = null;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name.Equals("sequenceId", StringComparison.OrdinalIgnoreCase))
            {
                sequenceId = property.Value.GetInt64();
            }
            else if (property.Name.Equals("key", StringComparison.OrdinalIgnoreCase))
            {
                key = property.Value.GetString();
            }
            else if (property.Name.Equals("event", StringComparison.OrdinalIgnoreCase))
            {
                cloudEvent = property.Value.Deserialize<CloudEvent>(options);
            }
            else if (property.Name.Equals("properties", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.Object)
            {
                properties = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var item in property.Value.EnumerateObject())
                {
                    properties[item.Name] = item.Value.GetString() ?? string.Empty;
                }
            }
        }

        return new OutboundEvent(
            sequenceId,
            key ?? throw new JsonException("An outbound event has no key."),
            cloudEvent ?? throw new JsonException("An outbound event has no event."),
            properties);
    }

    public override void Write(Utf8JsonWriter writer, OutboundEvent value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("sequenceId", value.SequenceId);
        writer.WriteString("key", value.Key);
        writer.WritePropertyName("event");
        writer.WriteRawValue(value.Encoded.Span, skipInputValidation: true);
        if (value.Properties is not null)
        {
            writer.WriteStartObject("properties");
            foreach (var (name, text) in value.Properties)
            {
                writer.WriteString(name, text);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}

/// <summary>A batch of events for one topic from one producer, published in order.</summary>
/// <param name="Topic">The topic: <c>persistent://tenant/namespace/topic</c> or a short name the sink resolves.</param>
/// <param name="ProducerName">Stable per integration stream, so deduplication recognises re-sends across crashes and reconnects.</param>
/// <param name="Events">The events, in sequence-id order.</param>
public sealed record EventBatch(string Topic, string ProducerName, IReadOnlyList<OutboundEvent> Events);

/// <summary>
/// Where published events go. <see cref="PublishAsync"/> returns only once every event of the batch is
/// durably accepted (a broker receipt, a stored document); anything less is an exception, and the caller
/// does not move its cursor. Publishing the same batch again must not deliver anything twice.
/// </summary>
public interface IEventSink
{
    /// <summary>The sink's name in health output and metrics: <c>cosmos</c> or <c>pulsar</c>.</summary>
    string Name { get; }

    /// <summary>Publishes the batch, or throws <see cref="EventPublishException"/>.</summary>
    Task PublishAsync(EventBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes the batch and says how many events the sink took as new and how many it already had from an
    /// earlier publication (the same event id: an unchanged record read again). A re-send of events this same
    /// run already published (its in-flight page after a crash) counts as accepted. Sinks that cannot tell
    /// report every event as accepted (the default).
    /// </summary>
    /// <exception cref="EventPublishException">As <see cref="PublishAsync"/>.</exception>
    async Task<PublishReceipt> PublishWithReceiptAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await PublishAsync(batch, cancellationToken);
        return new PublishReceipt(batch.Events.Count, 0);
    }
}

/// <summary>What a sink did with a batch: <paramref name="Accepted"/> events taken as new, <paramref name="Duplicates"/> it already had from an earlier publication and dropped.</summary>
public sealed record PublishReceipt(int Accepted, int Duplicates);

/// <summary>A batch could not be published. <see cref="IsTransient"/>: the sink may accept it later (broker down, timeout).</summary>
public sealed class EventPublishException(string message, bool isTransient, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Whether retrying later may succeed.</summary>
    public bool IsTransient { get; } = isTransient;
}
