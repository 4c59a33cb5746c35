using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Core.Events;

/// <summary>An event the sink refused for good, kept with the reason until it is replayed.</summary>
public sealed record DeadLetter : TenantDocument
{
    /// <summary>The topic it was meant for.</summary>
    public required string Topic { get; init; }

    /// <summary>The producer that tried.</summary>
    public required string ProducerName { get; init; }

    /// <summary>The event, as it would have been sent.</summary>
    public required OutboundEvent Event { get; init; }

    /// <summary>Why it was refused.</summary>
    public required string Error { get; init; }

    /// <summary>The run that tried.</summary>
    public string? RunId { get; init; }

    /// <summary>The integration.</summary>
    public string? IntegrationId { get; init; }

    /// <summary>When it failed.</summary>
    public DateTimeOffset FailedAt { get; init; }

    /// <summary>When it was replayed successfully, if it was.</summary>
    public DateTimeOffset? ReplayedAt { get; init; }
}

/// <summary>Dead letters in the <c>deadletters</c> container; replay publishes the event again through the sink.</summary>
public sealed class DeadLetterStore(HubCosmos cosmos, IEventSink sink, TimeProvider time)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("deadletters");

    private readonly DocumentSet<DeadLetter> _letters = cosmos.Documents<DeadLetter>(Container.Name);

    /// <summary>Keeps the events of a batch the sink refused.</summary>
    public async Task KeepAsync(EventBatch batch, string error, string? runId, string? integrationId, CancellationToken cancellationToken)
    {
        foreach (var e in batch.Events)
        {
            await _letters.UpsertAsync(
                new DeadLetter
                {
                    Id = e.Event.Id,
                    TenantId = e.Event.TenantId,
                    Topic = batch.Topic,
                    ProducerName = batch.ProducerName,
                    Event = e,
                    Error = error,
                    RunId = runId,
                    IntegrationId = integrationId,
                    FailedAt = time.GetUtcNow(),
                },
                cancellationToken);
        }
    }

    /// <summary>A dead letter, or null.</summary>
    public Task<DeadLetter?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) => _letters.ReadAsync(tenantId, id, cancellationToken);

    /// <summary>A page of a tenant's dead letters, newest first; replayed ones only when asked.</summary>
    public Task<Page<DeadLetter>> ListAsync(string tenantId, bool includeReplayed, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        StoreRefusals.Translate(_letters.QueryPageAsync(
            new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId" + (includeReplayed ? string.Empty : " AND NOT IS_DEFINED(c.replayedAt)") + " ORDER BY c.failedAt DESC"),
            tenantId,
            pageSize,
            continuationToken,
            cancellationToken));

    /// <summary>Publishes a dead letter again; on success it is marked replayed. The sink's error propagates otherwise.</summary>
    public async Task<DeadLetter> ReplayAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        // Replays publish under a producer of their own: the original producer's sequence has moved on,
        // and a broker would drop an old sequence id as a duplicate.
        await sink.PublishAsync(new EventBatch(letter.Topic, $"{letter.ProducerName}-replay", [letter.Event with { SequenceId = time.GetUtcNow().ToUnixTimeMilliseconds() }]), cancellationToken);
        return await _letters.ReplaceAsync(letter with { ReplayedAt = time.GetUtcNow() }, cancellationToken);
    }
}
