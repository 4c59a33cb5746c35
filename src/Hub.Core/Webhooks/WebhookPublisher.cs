using System.Collections.Concurrent;
using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs.Steps;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Core.Webhooks;

/// <summary>
/// Publishes acknowledged webhook deliveries through the integration's mapping to the same sink, topic and CloudEvents
/// type naming as its polled records (<c>com.integrationhub.{connector}.{stream}.{upserted|deleted}</c>, source
/// <c>/tenants/{tenant}/integrations/{integration}/streams/{stream}</c>), with the polled records' event id
/// (<see cref="EventIds"/>: integration, stream, record id, version, operation and a digest of the mapped data): a record
/// delivered by webhook and then polled unchanged is one event: both paths consult and write <see cref="RecordMemory"/>,
/// so the second is counted unchanged and published to no sink.
/// </summary>
/// <remarks>
/// An integration's deliveries are published in acknowledgement order, one at a time on this instance; a delivery that
/// cannot be published yet (sink unavailable) stops its integration's queue so no later one overtakes it. Producer:
/// <c>hub-{tenant}-{integration}-{stream}-webhooks</c>, sequence ids from the acknowledgement time (ms × 10,000 + index),
/// so broker deduplication recognises a re-send after a crash. Publishing a delivery again publishes nothing twice.
/// </remarks>
public sealed class WebhookPublisher(
    WebhookDeliveryStore deliveries,
    IntegrationStore integrations,
    StepTypeRegistry stepTypes,
    IEventSink sink,
    RecordMemory memory,
    DeadLetterStore deadLetters,
    WebhookMetrics metrics,
    TimeProvider time,
    ILogger<WebhookPublisher> logger)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>Publishes the integration's pending deliveries in order; returns how many were settled (published, dead-lettered or discarded).</summary>
    public async Task<int> PublishPendingAsync(string tenantId, string integrationId, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(integrationId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var integration = await integrations.GetAsync(tenantId, integrationId, cancellationToken);
            Func<JsonElement, JsonElement>? transform = integration?.Mapping is { } mapping
                ? stepTypes.Record("transform").Compile(new FlowStep { Name = "transform", Type = "transform", Mapping = mapping })
                : null;
            var settled = 0;
            await foreach (var delivery in deliveries.PendingAsync(tenantId, integrationId, cancellationToken))
            {
                if (!await PublishAsync(delivery, integration, transform, cancellationToken))
                {
                    break; // keep the order: later deliveries wait for this one
                }

                settled++;
            }

            return settled;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<bool> PublishAsync(WebhookDelivery delivery, Integration? integration, Func<JsonElement, JsonElement>? transform, CancellationToken cancellationToken)
    {
        if (integration is null)
        {
            await SettleAsync(delivery with { Status = WebhookDeliveryStatus.Discarded, LastError = "The integration was deleted." }, cancellationToken);
            return true;
        }

        EventBatch batch;
        try
        {
            var events = delivery.Records.Select((r, i) => Envelope(integration, r, delivery.Sequence + i, transform)).ToList();
            var topic = integration.Topic ?? EventNaming.TopicForStream(integration.TenantId, integration.ConnectorId, integration.Stream);
            batch = new EventBatch(topic, EventNaming.ProducerFor(integration.TenantId, integration.Id, integration.Stream + "-webhooks"), events);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            // The mapping cannot apply to this payload: it will not later either.
            Logs.WebhookUnmappable(logger, integration.Id, delivery.DeliveryId, e.GetType().Name);
            await SettleAsync(delivery with { Status = WebhookDeliveryStatus.DeadLettered, LastError = $"The integration's mapping failed ({e.GetType().Name})." }, cancellationToken);
            return true;
        }

        if (batch.Events.Count == 0)
        {
            await SettleAsync(delivery with { Status = WebhookDeliveryStatus.Published, PublishedAt = time.GetUtcNow() }, cancellationToken);
            return true;
        }

        try
        {
            // What was last published for these records (by a poll or an earlier delivery) is not published again.
            var recalled = await memory.RecallAsync(integration.TenantId, integration.Id, integration.Stream, batch.Events.Select(e => e.Key).ToList(), cancellationToken);
            var fresh = batch.Events.Where(e => !(recalled.TryGetValue(e.Key, out var last) && last.EventId == e.Event.Id)).ToList();
            var unchanged = batch.Events.Count - fresh.Count;
            var receipt = fresh.Count == 0 ? new PublishReceipt(0, 0) : await sink.PublishWithReceiptAsync(batch with { Events = fresh }, cancellationToken);
            await memory.RememberAsync(integration.TenantId, integration.Id, integration.Stream, null, fresh.GroupBy(e => e.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Last().Event.Id)), cancellationToken);
            await MarkMemoryInUseAsync(integration, cancellationToken);
            unchanged += receipt.Duplicates;
            metrics.Events(integration.ConnectorId, "published", receipt.Accepted);
            metrics.Events(integration.ConnectorId, "unchanged", unchanged);
            await SettleAsync(delivery with { Status = WebhookDeliveryStatus.Published, PublishedAt = time.GetUtcNow(), EventsPublished = receipt.Accepted, EventsUnchanged = unchanged, LastError = null }, cancellationToken);
            Logs.WebhookPublished(logger, integration.Id, delivery.DeliveryId, receipt.Accepted, unchanged);
            return true;
        }
        catch (Exception e) when (e is EventPublishException { IsTransient: true } or Microsoft.Azure.Cosmos.CosmosException or ConcurrencyConflictException)
        {
            // The sink or the record memory is unavailable: the delivery stays pending, in order.
            Logs.WebhookPublishDeferred(logger, integration.Id, delivery.DeliveryId, e.Message);
            await SettleAsync(delivery with { FailedAttempts = delivery.FailedAttempts + 1, LastError = e.Message }, cancellationToken);
            return false;
        }
        catch (EventPublishException e)
        {
            await deadLetters.KeepAsync(batch, e.Message, null, integration.Id, cancellationToken);
            metrics.Events(integration.ConnectorId, "dead_lettered", batch.Events.Count);
            await SettleAsync(delivery with { Status = WebhookDeliveryStatus.DeadLettered, LastError = e.Message }, cancellationToken);
            return true;
        }
    }

    // Polls read the record memory once anything but their own run wrote it: say the webhooks did (once per integration).
    private async Task MarkMemoryInUseAsync(Integration integration, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var state = await integrations.GetStateAsync(integration.TenantId, integration.Id, cancellationToken);
            if (state.RecordMemoryFrom is not null)
            {
                return;
            }

            try
            {
                await integrations.ReplaceStateAsync(state with { RecordMemoryFrom = "webhooks" }, cancellationToken);
                return;
            }
            catch (ConcurrencyConflictException)
            {
                // A run committed a page meanwhile: read again.
            }
        }

        throw new ConcurrencyConflictException($"The state of integration '{integration.Id}' kept changing; the delivery stays pending.");
    }

    // Another instance may have settled it meanwhile: its write stands.
    private async Task SettleAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            await deliveries.ReplaceAsync(delivery, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
        }
    }

    private OutboundEvent Envelope(Integration integration, ConnectorRecord record, long sequenceId, Func<JsonElement, JsonElement>? transform)
    {
        var data = transform is null ? record.Data : transform(record.Data);
        var operation = record.Operation == RecordOperation.Delete ? "deleted" : "upserted";
        var cloudEvent = new CloudEvent
        {
            Id = EventIds.For(integration.Id, integration.Stream, record.Id, record.Version, operation, data),
            Source = $"/tenants/{integration.TenantId}/integrations/{integration.Id}/streams/{integration.Stream}",
            Type = $"com.integrationhub.{integration.ConnectorId}.{integration.Stream}.{operation}",
            Subject = CloudEventEnvelope.SubjectOf(record.Id),
            Time = record.Timestamp ?? time.GetUtcNow(),
            TenantId = integration.TenantId,
            IntegrationId = integration.Id,
            Data = data,
        };
        return new OutboundEvent(
            sequenceId,
            record.Id,
            cloudEvent,
            new Dictionary<string, string> { ["connector"] = integration.ConnectorId, ["stream"] = integration.Stream, ["operation"] = operation, ["via"] = "webhook" });
    }
}
