namespace IntegrationHub.Shared.Events;

/// <summary>One event to publish, with the producer sequence id it carries (monotonic per producer, kept with the cursor).</summary>
/// <param name="SequenceId">Monotonically increasing per <see cref="EventBatch.ProducerName"/>; a broker with deduplication drops a re-send with a sequence id it has already persisted.</param>
/// <param name="Key">The routing/ordering key (Pulsar message key): events with one key keep their order.</param>
/// <param name="Event">The envelope.</param>
/// <param name="Properties">Message properties for routing, e.g. tenant, connector, stream.</param>
public sealed record OutboundEvent(long SequenceId, string Key, CloudEvent Event, IReadOnlyDictionary<string, string>? Properties = null);

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
