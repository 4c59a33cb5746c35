using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.RateLimiting;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Core.Webhooks;

/// <summary>What became of a webhook request.</summary>
public abstract record WebhookOutcome
{
    /// <summary>No enabled integration with that id receives webhooks (or it has no secret yet): 404.</summary>
    public sealed record NotFound : WebhookOutcome;

    /// <summary>The integration sent more than its rate allows: 429 with <c>Retry-After</c>.</summary>
    public sealed record RateLimited(TimeSpan RetryAfter) : WebhookOutcome;

    /// <summary>Refused (<see cref="WebhookRejections"/>): 401, or 400 for <see cref="WebhookRejections.Malformed"/>. Nothing stored.</summary>
    public sealed record Rejected(string Reason, string? Detail) : WebhookOutcome;

    /// <summary>A handshake (Slack's <c>url_verification</c>), answered with <paramref name="Reply"/>; nothing stored.</summary>
    public sealed record Handshake(JsonElement Reply) : WebhookOutcome;

    /// <summary>Stored, to be published: 202 (or 200 with the system's <paramref name="Reply"/>).</summary>
    public sealed record Accepted(string TenantId, string IntegrationId, string DeliveryId, int Records, JsonElement? Reply) : WebhookOutcome;

    /// <summary>A redelivery of a delivery already stored: 200 <c>duplicate</c>; nothing new is published.</summary>
    public sealed record Duplicate(string DeliveryId, JsonElement? Reply) : WebhookOutcome;
}

/// <summary>
/// Receives webhook requests: finds the integration by id alone (the sender knows no tenant), applies its rate limit,
/// verifies the request with the connector's documented scheme (<see cref="IWebhookReceiver"/>) and stores the delivery
/// once (create-if-absent on integration + delivery id). Publishing happens after the acknowledgement
/// (<see cref="WebhookPublisher"/>). Logs carry ids and reasons only, never payload content or secrets.
/// </summary>
public sealed class WebhookIntake : IDisposable
{
    // Used for unknown ids so that they cost what a known id's check costs (no timing oracle for integration ids).
    private static readonly string DummySecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private readonly IntegrationStore _integrations;
    private readonly IConnectorCatalog _catalog;
    private readonly WebhookSecrets _secrets;
    private readonly WebhookDeliveryStore _deliveries;
    private readonly WebhookMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookIntake> _logger;
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly ConcurrentDictionary<string, string> _tenants = new(StringComparer.Ordinal);

    /// <summary>Creates the intake.</summary>
    public WebhookIntake(IntegrationStore integrations, IConnectorCatalog catalog, WebhookSecrets secrets, WebhookDeliveryStore deliveries, WebhookMetrics metrics, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookIntake> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_integrations, _catalog, _secrets, _deliveries, _metrics, _time, _logger) = (integrations, catalog, secrets, deliveries, metrics, time, logger);
        var perMinute = options.Value.RequestsPerMinute;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.Burst,
            TokensPerPeriod = perMinute >= 60 ? perMinute / 60 : 1,
            ReplenishmentPeriod = perMinute >= 60 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(60.0 / perMinute),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(id => RateLimitPartition.GetTokenBucketLimiter(id, _ => bucket), StringComparer.Ordinal);
    }

    /// <summary>Receives one request for <paramref name="integrationId"/>.</summary>
    public async Task<WebhookOutcome> ReceiveAsync(string integrationId, WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var lease = _limiter.AttemptAcquire(integrationId);
        if (!lease.IsAcquired)
        {
            return new WebhookOutcome.RateLimited(lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1));
        }

        var integration = await FindAsync(integrationId, cancellationToken);
        var receiver = integration is { Enabled: true } ? _catalog.Find(integration.ConnectorId) as IWebhookReceiver : null;
        var secret = receiver is null ? null : await _secrets.ReadAsync(integration!.TenantId, integration.Id, cancellationToken);
        if (receiver is null || secret is null)
        {
            // Same work as a real check, and the same answer for "no such id", "disabled" and "no secret yet".
            _ = WebhookSignatures.HexMatches(request.Header("X-Hub-Signature-256") ?? string.Empty, "sha256=", WebhookSignatures.HmacSha256(DummySecret, request.Body));
            return new WebhookOutcome.NotFound();
        }

        var connector = integration!.ConnectorId;
        string? reason;
        try
        {
            reason = receiver.Verify(request, secret, integration.Configuration, _time.GetUtcNow());
        }
        catch (WebhookPayloadException e)
        {
            return Reject(integration, WebhookRejections.Malformed, e.Message);
        }

        if (reason is not null)
        {
            return Reject(integration, reason, null);
        }

        WebhookContent content;
        try
        {
            content = receiver.Read(request, integration.Stream, integration.Configuration);
        }
        catch (WebhookPayloadException e)
        {
            return Reject(integration, WebhookRejections.Malformed, e.Message);
        }

        if (content.DeliveryId is not { } deliveryId)
        {
            return new WebhookOutcome.Handshake(content.Reply ?? JsonSerializer.SerializeToElement(new { }));
        }

        if (deliveryId.Length > 200)
        {
            return Reject(integration, WebhookRejections.Malformed, "The delivery id is longer than 200 characters.");
        }

        var now = _time.GetUtcNow();
        try
        {
            await _deliveries.CreateAsync(
                new WebhookDelivery
                {
                    Id = WebhookDelivery.DocumentIdOf(integration.Id, deliveryId),
                    TenantId = integration.TenantId,
                    IntegrationId = integration.Id,
                    DeliveryId = deliveryId,
                    ReceivedAt = now,
                    Sequence = WebhookDeliveryStore.SequenceOf(now),
                    Records = content.Records,
                },
                cancellationToken);
        }
        catch (DocumentExistsException)
        {
            _metrics.Delivery(connector, "duplicate");
            Logs.WebhookDuplicate(_logger, integration.Id, deliveryId);
            return new WebhookOutcome.Duplicate(deliveryId, content.Reply);
        }

        _metrics.Delivery(connector, "accepted");
        Logs.WebhookAccepted(_logger, integration.TenantId, integration.Id, deliveryId, content.Records.Count);
        return new WebhookOutcome.Accepted(integration.TenantId, integration.Id, deliveryId, content.Records.Count, content.Reply);
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();

    private WebhookOutcome.Rejected Reject(Integration integration, string reason, string? detail)
    {
        _metrics.Reject(integration.ConnectorId, reason);
        Logs.WebhookRejected(_logger, integration.Id, integration.ConnectorId, reason);
        return new WebhookOutcome.Rejected(reason, detail);
    }

    private async Task<Integration?> FindAsync(string integrationId, CancellationToken cancellationToken)
    {
        if (!DocumentIds.IsValid(integrationId) || integrationId.Contains(':', StringComparison.Ordinal))
        {
            return null;
        }

        if (_tenants.TryGetValue(integrationId, out var tenantId))
        {
            if (await _integrations.GetAsync(tenantId, integrationId, cancellationToken) is { } known)
            {
                return known;
            }

            _tenants.TryRemove(integrationId, out _);
            return null;
        }

        var found = await _integrations.FindAnyTenantAsync(integrationId, cancellationToken);
        if (found is not null)
        {
            _tenants[integrationId] = found.TenantId;
        }

        return found;
    }
}
