using System.Globalization;
using System.Text.Json;
using IntegrationHub.Connectors.Http;

namespace IntegrationHub.Connectors.GitHub;

/// <summary>
/// GitHub webhooks (repository webhook, content type <c>application/json</c>).
/// Signature: <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the raw body keyed by the webhook secret&gt;</c>, as
/// documented in "Validating webhook deliveries" (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries).
/// Delivery id: <c>X-GitHub-Delivery</c> (a GUID, the same on a redelivery); event: <c>X-GitHub-Event</c>
/// (https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers). The secret is the hub's.
/// </summary>
/// <remarks>
/// <c>issues</c> events carry the <c>issue</c> object and <c>issue_comment</c> events the <c>comment</c> object the REST
/// API lists, so the record is the poll's: id <c>id</c>, version <c>updated_at</c>. Action <c>deleted</c> is a delete.
/// <c>ping</c> and events of the other stream are acknowledged and carry no records.
/// </remarks>
public sealed partial class GitHubConnector : IWebhookReceiver
{
    /// <inheritdoc />
    public WebhookSecretIssuer SecretIssuer => WebhookSecretIssuer.Hub;

    /// <inheritdoc />
    public string? Verify(WebhookRequest request, string secret, JsonElement configuration, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Header("X-Hub-Signature-256") is not { Length: > 0 } signature)
        {
            return WebhookRejections.MissingSignature;
        }

        return WebhookSignatures.HexMatches(signature, "sha256=", WebhookSignatures.HmacSha256(secret, request.Body)) ? null : WebhookRejections.BadSignature;
    }

    /// <inheritdoc />
    public WebhookContent Read(WebhookRequest request, string stream, JsonElement configuration)
    {
        ArgumentNullException.ThrowIfNull(request);
        var delivery = request.Header("X-GitHub-Delivery") is { Length: > 0 } id ? id : throw new WebhookPayloadException("X-GitHub-Delivery is missing.");
        var kind = request.Header("X-GitHub-Event");
        using var body = WebhookSignatures.Json(request);
        var root = body.RootElement;
        var property = (kind, stream) switch
        {
            ("issues", IssuesStream) => "issue",
            ("issue_comment", CommentsStream) => "comment",
            _ => null,
        };
        if (property is null || root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(property, out var item) || item.ValueKind != JsonValueKind.Object)
        {
            return new WebhookContent(delivery, null, []);
        }

        var recordId = item.TryGetProperty("id", out var idValue) && idValue.TryGetInt64(out var number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : throw new WebhookPayloadException($"The {property} has no id.");
        var updated = item.TryGetProperty("updated_at", out var u) ? u.GetString() : null;
        var deleted = root.TryGetProperty("action", out var action) && action.ValueEquals("deleted");
        DateTimeOffset? at = updated is not null && WatermarkCursor.TryParseInstant(updated, out var instant) ? instant : null;
        return new WebhookContent(delivery, null, [new ConnectorRecord(recordId, updated, deleted ? RecordOperation.Delete : RecordOperation.Upsert, at, item.Clone())]);
    }
}
