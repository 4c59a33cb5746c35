using IntegrationHub.Pulsar.Producer;
using IntegrationHub.Pulsar.Topics;
using IntegrationHub.Shared.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Pulsar.Events;

/// <summary>
/// Publishes event batches to Pulsar: each event is one message whose payload is the CloudEvent in structured JSON
/// mode, encoded by the CloudEvents SDK (<see cref="CloudEventEnvelope"/>; the hub's Pulsar binding is structured
/// mode, content type <c>application/cloudevents+json</c>), whose key is <see cref="OutboundEvent.Key"/> (keyed ordering and routing) and whose properties carry the
/// routing attributes (<c>ce-id</c>, <c>ce-type</c>, <c>ce-source</c>, <c>tenantid</c>, <c>integrationid</c>,
/// <c>runid</c>, plus the event's own). Returns when every message has an ok receipt.
/// </summary>
/// <remarks>
/// The batch's <see cref="EventBatch.ProducerName"/> and each event's <see cref="OutboundEvent.SequenceId"/> become the
/// Pulsar producer name and sequence id, so publishing a batch again after a failure or crash stores nothing twice
/// on a namespace with deduplication enabled (<c>pulsar-admin namespaces set-deduplication --enable</c>).
/// </remarks>
public sealed class PulsarEventSink(IOptions<PulsarOptions> options, PulsarProducerPool producers, ILogger<PulsarEventSink> logger) : IEventSink
{
    /// <summary>Structured-mode content type (CloudEvents JSON format).</summary>
    public const string ContentType = CloudEventEnvelope.StructuredContentType;

    public string Name => "pulsar";

    public async Task PublishAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Events.Count == 0)
        {
            return;
        }

        string topic;
        try
        {
            topic = TopicNames.Qualify(batch.Topic, options.Value);
        }
        catch (ArgumentException e)
        {
            throw new EventPublishException($"Pulsar: {e.Message}", isTransient: false, e);
        }

        var messages = new PulsarMessage[batch.Events.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            var outbound = batch.Events[i];
            try
            {
                messages[i] = new PulsarMessage(outbound.SequenceId, outbound.Encoded, outbound.Key, Properties(outbound)); // encoded once, as the outbox stored it
            }
            catch (ArgumentException e)
            {
                // The SDK refuses an event that breaks the spec (no id, source or type): no retry can fix it.
                throw new EventPublishException($"Pulsar: event {outbound.Event.Id} is not a valid CloudEvent: {e.Message}", isTransient: false, e);
            }
        }

        try
        {
            var receipts = await producers.Get(topic, batch.ProducerName).SendAsync(messages, cancellationToken).ConfigureAwait(false);
            var duplicates = 0;
            foreach (var receipt in receipts)
            {
                duplicates += receipt.IsDuplicate ? 1 : 0;
            }

            Logs.BatchPublished(logger, receipts.Count, topic, batch.ProducerName, duplicates);
        }
        catch (PulsarException e)
        {
            throw new EventPublishException($"Pulsar: {e.Message}", e.IsTransient, e);
        }
        catch (ArgumentException e)
        {
            throw new EventPublishException($"Pulsar: {e.Message}", isTransient: false, e);
        }
    }

    private static Dictionary<string, string> Properties(OutboundEvent outbound)
    {
        var e = outbound.Event;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = ContentType,
            ["ce-id"] = e.Id,
            ["ce-type"] = e.Type,
            ["ce-source"] = e.Source,
            ["tenantid"] = e.TenantId,
        };
        if (e.Subject is not null)
        {
            properties["ce-subject"] = e.Subject;
        }

        if (e.IntegrationId is not null)
        {
            properties["integrationid"] = e.IntegrationId;
        }

        if (e.RunId is not null)
        {
            properties["runid"] = e.RunId;
        }

        if (outbound.Properties is not null)
        {
            foreach (var (name, value) in outbound.Properties)
            {
                properties[name] = value;
            }
        }

        return properties;
    }
}
