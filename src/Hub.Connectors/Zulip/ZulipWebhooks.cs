using System.Globalization;
using System.Text.Json;

namespace IntegrationHub.Connectors.Zulip;

/// <summary>
/// Zulip outgoing webhooks (a bot of type "Outgoing webhook", Zulip format). Zulip signs nothing: the JSON body
/// carries the bot's <c>token</c>, which the receiver compares with the one Zulip showed for the bot, as documented in
/// "Outgoing webhook payloads" (https://zulip.com/api/outgoing-webhook-payload) and "Outgoing webhooks"
/// (https://zulip.com/api/outgoing-webhooks). Delivery id: <c>message.id</c>. The answer is
/// <c>{"response_not_required": true}</c>, so the bot posts no reply. The token is Zulip's.
/// </summary>
public sealed partial class ZulipConnector : IWebhookReceiver
{
    /// <inheritdoc />
    public WebhookSecretIssuer SecretIssuer => WebhookSecretIssuer.System;

    /// <inheritdoc />
    public string? Verify(WebhookRequest request, string secret, JsonElement configuration, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        JsonDocument body;
        try
        {
            body = WebhookSignatures.Json(request);
        }
        catch (WebhookPayloadException)
        {
            return WebhookRejections.MissingSignature;
        }

        using (body)
        {
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("token", out var token) || token.GetString() is not { Length: > 0 } presented)
            {
                return WebhookRejections.MissingSignature;
            }

            return WebhookSignatures.TokensMatch(presented, secret) ? null : WebhookRejections.BadSignature;
        }
    }

    /// <inheritdoc />
    public WebhookContent Read(WebhookRequest request, string stream, JsonElement configuration)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var body = WebhookSignatures.Json(request);
        var reply = JsonSerializer.SerializeToElement(new Dictionary<string, bool> { ["response_not_required"] = true });
        if (!body.RootElement.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("id", out var idValue) || !idValue.TryGetInt64(out var messageId))
        {
            throw new WebhookPayloadException("message.id is missing.");
        }

        var id = messageId.ToString(CultureInfo.InvariantCulture);
        if (stream != MessagesStream)
        {
            return new WebhookContent(id, reply, []);
        }

        var timestamp = message.TryGetProperty("timestamp", out var ts) && ts.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
        var version = message.TryGetProperty("last_edit_timestamp", out var edited) && edited.TryGetInt64(out var e) ? e.ToString(CultureInfo.InvariantCulture) : null;
        return new WebhookContent(id, reply, [new ConnectorRecord(id, version, RecordOperation.Upsert, timestamp, message.Clone())]);
    }
}
