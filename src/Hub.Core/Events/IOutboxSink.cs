using IntegrationHub.Shared.Events;

namespace IntegrationHub.Core.Events;

/// <summary>
/// A sink that keeps each published page as a document the hub can read back (the embedded <see cref="CosmosEventLog"/>),
/// so a sync page's publication can also be its outbox entry: the page is written once, with what committing it
/// takes (cursor after it, next sequence id, counts, record memory), instead of once to <see cref="OutboxStore"/> and
/// once to the sink.
/// </summary>
/// <remarks>
/// Exactly once holds as with the outbox: a page is published by creating its document (never replacing one), keyed
/// by producer and first sequence id; an attempt that died after that and before the commit leaves the page there,
/// and the run's next attempt finds it at the integration's committed next sequence id (<see cref="GetPageAsync"/>)
/// and commits it instead of reading the source again. Pages that do not fit one document, and pages without events,
/// take the <see cref="OutboxStore"/> path (or none).
/// </remarks>
public interface IOutboxSink : IEventSink
{
    /// <summary>
    /// Publishes <paramref name="page"/> (at least one event) as one document holding its events and its commit data,
    /// unless the sink already holds a page of the same run at the same first sequence id.
    /// </summary>
    /// <returns>
    /// The page the sink holds now at that sequence id: <paramref name="page"/> itself, or the one an interrupted attempt
    /// of the same run published there first (it stands: the caller commits that one). Null when the page does not fit
    /// one document, or a page the sink cannot commit from (another run's, or one published without commit data)
    /// holds the id: the caller then takes the <see cref="OutboxStore"/> path, which replaces it.
    /// </returns>
    /// <exception cref="EventPublishException">The sink is unavailable (transient), or refused an event for good.</exception>
    Task<OutboxPage?> PublishPageAsync(OutboxPage page, CancellationToken cancellationToken);

    /// <summary>
    /// The page run <paramref name="runId"/> published at <paramref name="firstSequenceId"/> of the producer with its
    /// commit data, if any: after a crash, the page the run published and did not commit. Null when there is none.
    /// </summary>
    /// <exception cref="EventPublishException">The sink is unavailable (transient).</exception>
    Task<OutboxPage?> GetPageAsync(string tenantId, string topic, string producerName, string runId, long firstSequenceId, CancellationToken cancellationToken);
}
