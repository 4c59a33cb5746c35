using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Core.Events;

/// <summary>A published event as the Cosmos event log keeps it.</summary>
public sealed record LoggedEvent : TenantDocument
{
    /// <summary>The topic it was published to.</summary>
    public required string Topic { get; init; }

    /// <summary>The producer that published it.</summary>
    public required string ProducerName { get; init; }

    /// <summary>Its sequence id.</summary>
    public long SequenceId { get; init; }

    /// <summary>Its key.</summary>
    public required string Key { get; init; }

    /// <summary>The integration, for filtering.</summary>
    public string? IntegrationId { get; init; }

    /// <summary>The run, for filtering.</summary>
    public string? RunId { get; init; }

    /// <summary>When it was stored.</summary>
    public DateTimeOffset PublishedAt { get; init; }

    /// <summary>The envelope.</summary>
    public required CloudEvent Event { get; init; }
}

/// <summary>
/// The embedded event sink used when Pulsar is not configured: events are stored in the <c>events</c>
/// container under their deterministic id, so publishing a batch again after a crash stores nothing twice.
/// </summary>
public sealed class CosmosEventLog(HubCosmos cosmos, TimeProvider time) : IEventSink
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("events");

    private readonly DocumentSet<LoggedEvent> _events = cosmos.Documents<LoggedEvent>(Container.Name);

    /// <inheritdoc />
    public string Name => "cosmos";

    /// <inheritdoc />
    public Task PublishAsync(EventBatch batch, CancellationToken cancellationToken) => PublishWithReceiptAsync(batch, cancellationToken);

    /// <inheritdoc />
    /// <remarks>An event id already stored is a duplicate unless it was stored by the same run (a re-send of that run's in-flight page), which counts as accepted.</remarks>
    public async Task<PublishReceipt> PublishWithReceiptAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var duplicates = 0;
        try
        {
            // Ordered by sequence id within the batch; a few writes in flight keep it quick.
            await Parallel.ForEachAsync(batch.Events, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (e, ct) =>
            {
                try
                {
                    await _events.CreateAsync(
                        new LoggedEvent
                        {
                            Id = e.Event.Id,
                            TenantId = e.Event.TenantId,
                            Topic = batch.Topic,
                            ProducerName = batch.ProducerName,
                            SequenceId = e.SequenceId,
                            Key = e.Key,
                            IntegrationId = e.Event.IntegrationId,
                            RunId = e.Event.RunId,
                            PublishedAt = time.GetUtcNow(),
                            Event = e.Event,
                        },
                        ct);
                }
                catch (DocumentExistsException)
                {
                    // Published before: by this run (a retried page, exactly once still holds) or by an earlier one (unchanged).
                    var existing = await _events.ReadAsync(e.Event.TenantId, e.Event.Id, ct);
                    if (existing?.RunId != e.Event.RunId)
                    {
                        Interlocked.Increment(ref duplicates);
                    }
                }
            });
            return new PublishReceipt(batch.Events.Count - duplicates, duplicates);
        }
        catch (CosmosException e)
        {
            throw new EventPublishException($"The Cosmos event log refused the batch ({(int)e.StatusCode}).", isTransient: true, e);
        }
    }

    /// <summary>A page of a tenant's events, filtered by integration and run, in publication order.</summary>
    public Task<Page<LoggedEvent>> ListAsync(string tenantId, string? integrationId, string? runId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var text = "SELECT * FROM c WHERE c.tenantId = @tenantId"
            + (integrationId is null ? string.Empty : " AND c.integrationId = @integration")
            + (runId is null ? string.Empty : " AND c.runId = @run")
            + " ORDER BY c.sequenceId";
        var query = new QueryDefinition(text);
        if (integrationId is not null)
        {
            query = query.WithParameter("@integration", integrationId);
        }

        if (runId is not null)
        {
            query = query.WithParameter("@run", runId);
        }

        return StoreRefusals.Translate(_events.QueryPageAsync(query, tenantId, pageSize, continuationToken, cancellationToken));
    }
}
