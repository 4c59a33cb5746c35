using System.Security.Cryptography;
using System.Text;
using IntegrationHub.Connectors;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Core.Webhooks;

/// <summary>The states of a <see cref="WebhookDelivery"/>.</summary>
public static class WebhookDeliveryStatus
{
    /// <summary>Acknowledged, not yet published.</summary>
    public const string Pending = "pending";

    /// <summary>Its events are in the sink.</summary>
    public const string Published = "published";

    /// <summary>The sink refused its events for good; they are in the dead letters.</summary>
    public const string DeadLettered = "dead_lettered";

    /// <summary>Its integration was deleted before it was published.</summary>
    public const string Discarded = "discarded";
}

/// <summary>
/// An acknowledged webhook delivery, in the <c>webhooks</c> container (partition <c>/tenantId</c>), keyed by integration and
/// the system's delivery id: creating it is the deduplication (a redelivery finds it and publishes nothing). It keeps the
/// records read from the payload, not the payload, so nothing the sender put beside them (Zulip's token) is stored.
/// </summary>
public sealed record WebhookDelivery : TenantDocument
{
    /// <summary>Always <c>delivery</c>.</summary>
    public string Type { get; init; } = "delivery";

    /// <summary>The integration.</summary>
    public required string IntegrationId { get; init; }

    /// <summary>The system's delivery id (<c>X-GitHub-Delivery</c>, Slack <c>event_id</c>, ...), at most 200 characters.</summary>
    public required string DeliveryId { get; init; }

    /// <summary>When it was acknowledged.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Acknowledgement order within the integration: Unix time in milliseconds × 10,000 (the events' sequence ids add the record's index).</summary>
    public long Sequence { get; init; }

    /// <summary>One of <see cref="WebhookDeliveryStatus"/>.</summary>
    public string Status { get; init; } = WebhookDeliveryStatus.Pending;

    /// <summary>The records, in payload order.</summary>
    public IReadOnlyList<ConnectorRecord> Records { get; init; } = [];

    /// <summary>Publication attempts that failed.</summary>
    public int FailedAttempts { get; init; }

    /// <summary>Why the last attempt failed (the sink's words; never payload content).</summary>
    public string? LastError { get; init; }

    /// <summary>When it was published.</summary>
    public DateTimeOffset? PublishedAt { get; init; }

    /// <summary>Events the sink took as new.</summary>
    public int EventsPublished { get; init; }

    /// <summary>Events the sink already had (the same record and content published by a poll or an earlier delivery).</summary>
    public int EventsUnchanged { get; init; }

    /// <summary>The document id of a delivery: the integration and a SHA-256 of the system's id (any characters, fixed length).</summary>
    public static string DocumentIdOf(string integrationId, string deliveryId) =>
        $"{integrationId}:dlv:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(deliveryId)))[..40]}";
}

/// <summary>The <c>webhooks</c> container: acknowledged deliveries.</summary>
public sealed class WebhookDeliveryStore(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("webhooks");

    private readonly DocumentSet<WebhookDelivery> _deliveries = cosmos.Documents<WebhookDelivery>(Container.Name);

    /// <summary>Stores a new delivery; <see cref="DocumentExistsException"/> when it was stored before (a redelivery).</summary>
    public Task<WebhookDelivery> CreateAsync(WebhookDelivery delivery, CancellationToken cancellationToken) => _deliveries.CreateAsync(delivery, cancellationToken);

    /// <summary>A delivery, or null.</summary>
    public Task<WebhookDelivery?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) => _deliveries.ReadAsync(tenantId, id, cancellationToken);

    /// <summary>Replaces a delivery at the version it was read at (<see cref="ConcurrencyConflictException"/> otherwise).</summary>
    public Task<WebhookDelivery> ReplaceAsync(WebhookDelivery delivery, CancellationToken cancellationToken) => _deliveries.ReplaceAsync(delivery, cancellationToken);

    /// <summary>An integration's pending deliveries in acknowledgement order.</summary>
    public IAsyncEnumerable<WebhookDelivery> PendingAsync(string tenantId, string integrationId, CancellationToken cancellationToken) =>
        _deliveries.QueryAsync(
            new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = 'delivery' AND c.integrationId = @integration AND c.status = @status ORDER BY c.sequence")
                .WithParameter("@integration", integrationId)
                .WithParameter("@status", WebhookDeliveryStatus.Pending),
            tenantId,
            cancellationToken);

    /// <summary>Pending deliveries of every tenant acknowledged before <paramref name="before"/> (for the re-drive), oldest first.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> StalledAsync(DateTimeOffset before, int max, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = 'delivery' AND c.status = @status AND c.sequence < @before ORDER BY c.sequence")
            .WithParameter("@status", WebhookDeliveryStatus.Pending)
            .WithParameter("@before", SequenceOf(before));
        var found = new List<WebhookDelivery>();
        await foreach (var delivery in _deliveries.QueryAsync(query, null, cancellationToken))
        {
            found.Add(delivery);
            if (found.Count >= max)
            {
                break;
            }
        }

        return found;
    }

    /// <summary>The <see cref="WebhookDelivery.Sequence"/> of a delivery acknowledged at <paramref name="at"/>.</summary>
    public static long SequenceOf(DateTimeOffset at) => at.ToUnixTimeMilliseconds() * 10_000;
}
