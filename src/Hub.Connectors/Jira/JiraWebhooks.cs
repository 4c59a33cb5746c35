using System.Text.Json;
using IntegrationHub.Connectors.Http;

namespace IntegrationHub.Connectors.Jira;

/// <summary>
/// Jira Cloud admin webhooks (System → WebHooks) registered with a secret. Signature:
/// <c>X-Hub-Signature: sha256=&lt;hex HMAC-SHA256 of the raw body keyed by the secret&gt;</c> (the WebSub
/// <c>method=signature</c> format), as documented in "Secure admin webhooks"
/// (https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks). Delivery id:
/// <c>X-Atlassian-Webhook-Identifier</c>, unchanged across retries (same page, "Retry policy"). The secret is the
/// hub's (Jira accepts a pasted secret).
/// </summary>
/// <remarks>
/// <c>jira:issue_created</c>/<c>jira:issue_updated</c> carry the <c>issue</c> (id, <c>fields.updated</c>): the poll's record;
/// <c>jira:issue_deleted</c> is a delete. Other events are acknowledged without records.
/// </remarks>
public sealed partial class JiraConnector : IWebhookReceiver
{
    /// <inheritdoc />
    public WebhookSecretIssuer SecretIssuer => WebhookSecretIssuer.Hub;

    /// <inheritdoc />
    public string? Verify(WebhookRequest request, string secret, JsonElement configuration, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Header("X-Hub-Signature") is not { Length: > 0 } signature)
        {
            return WebhookRejections.MissingSignature;
        }

        return WebhookSignatures.HexMatches(signature, "sha256=", WebhookSignatures.HmacSha256(secret, request.Body)) ? null : WebhookRejections.BadSignature;
    }

    /// <inheritdoc />
    public WebhookContent Read(WebhookRequest request, string stream, JsonElement configuration)
    {
        ArgumentNullException.ThrowIfNull(request);
        var delivery = request.Header("X-Atlassian-Webhook-Identifier") is { Length: > 0 } id ? id : throw new WebhookPayloadException("X-Atlassian-Webhook-Identifier is missing.");
        using var body = WebhookSignatures.Json(request);
        var root = body.RootElement;
        var kind = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("webhookEvent", out var e) ? e.GetString() : null;
        if (stream != IssuesStream || kind is not ("jira:issue_created" or "jira:issue_updated" or "jira:issue_deleted")
            || !root.TryGetProperty("issue", out var issue) || issue.ValueKind != JsonValueKind.Object)
        {
            return new WebhookContent(delivery, null, []);
        }

        var recordId = issue.TryGetProperty("id", out var i) && WebhookSignatures.Text(i) is { } text ? text : throw new WebhookPayloadException("The issue has no id.");
        var updated = issue.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Object && fields.TryGetProperty("updated", out var u) ? u.GetString() : null;
        DateTimeOffset? at = updated is not null && WatermarkCursor.TryParseInstant(updated, out var instant) ? instant : null;
        var operation = kind == "jira:issue_deleted" ? RecordOperation.Delete : RecordOperation.Upsert;
        return new WebhookContent(delivery, null, [new ConnectorRecord(recordId, updated, operation, at, issue.Clone())]);
    }
}
