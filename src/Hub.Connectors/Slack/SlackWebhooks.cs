using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IntegrationHub.Connectors.Slack;

/// <summary>
/// Slack Events API. Signature, as documented in "Verifying requests from Slack"
/// (https://api.slack.com/authentication/verifying-requests-from-slack):
/// <c>X-Slack-Signature: v0=&lt;hex HMAC-SHA256 of "v0:{X-Slack-Request-Timestamp}:{raw body}" keyed by the app's signing secret&gt;</c>;
/// a timestamp more than <see cref="MaxSkew"/> (5 minutes) from now is refused (replay). The first request is the
/// <c>url_verification</c> handshake, answered with its <c>challenge</c> (https://api.slack.com/events/url_verification).
/// Delivery id: the envelope's <c>event_id</c>, the same on Slack's retries (https://api.slack.com/apis/connections/events-api#retries).
/// The signing secret is Slack's (app settings → Basic Information → Signing Secret).
/// </summary>
/// <remarks>
/// <c>message</c> events without subtype are the poll's records (id <c>ts</c>, version <c>edited.ts</c> or <c>ts</c>);
/// <c>message_changed</c> carries the edited <c>message</c>; <c>message_deleted</c> is a delete of <c>deleted_ts</c>.
/// </remarks>
public sealed partial class SlackConnector : IWebhookReceiver
{
    /// <summary>How far <c>X-Slack-Request-Timestamp</c> may be from now.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    /// <inheritdoc />
    public WebhookSecretIssuer SecretIssuer => WebhookSecretIssuer.System;

    /// <inheritdoc />
    public string? Verify(WebhookRequest request, string secret, JsonElement configuration, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var signature = request.Header("X-Slack-Signature");
        var timestamp = request.Header("X-Slack-Request-Timestamp");
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp))
        {
            return WebhookRejections.MissingSignature;
        }

        // The signature is checked first, so a forged request learns nothing from the timestamp check.
        var expected = WebhookSignatures.HmacSha256(secret, Encoding.UTF8.GetBytes($"v0:{timestamp}:"), request.Body);
        if (!WebhookSignatures.HexMatches(signature, "v0=", expected))
        {
            return WebhookRejections.BadSignature;
        }

        return long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && Math.Abs(now.ToUnixTimeSeconds() - seconds) <= MaxSkew.TotalSeconds
            ? null
            : WebhookRejections.StaleTimestamp;
    }

    /// <inheritdoc />
    public WebhookContent Read(WebhookRequest request, string stream, JsonElement configuration)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var body = WebhookSignatures.Json(request);
        var root = body.RootElement;
        var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type == "url_verification")
        {
            var challenge = root.TryGetProperty("challenge", out var c) ? c.GetString() : null;
            return WebhookContent.Handshake(JsonSerializer.SerializeToElement(new { challenge }));
        }

        var delivery = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("event_id", out var id) && id.GetString() is { Length: > 0 } text
            ? text
            : throw new WebhookPayloadException("event_id is missing.");
        if (type != "event_callback" || stream != MessagesStream || !root.TryGetProperty("event", out var e) || e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("type", out var eventType) || !eventType.ValueEquals("message"))
        {
            return new WebhookContent(delivery, null, []);
        }

        var subtype = e.TryGetProperty("subtype", out var s) ? s.GetString() : null;
        return subtype switch
        {
            null => new WebhookContent(delivery, null, Message(e) is { } record ? [record] : []),
            "message_changed" when e.TryGetProperty("message", out var changed) => new WebhookContent(delivery, null, Message(changed) is { } record ? [record] : []),
            "message_deleted" when e.TryGetProperty("deleted_ts", out var deletedTs) && deletedTs.GetString() is { } ts =>
                new WebhookContent(delivery, null, [new ConnectorRecord(ts, ts, RecordOperation.Delete, FromTs(ts), e.Clone())]),
            _ => new WebhookContent(delivery, null, []),
        };
    }

    private static ConnectorRecord? Message(JsonElement message)
    {
        if (!message.TryGetProperty("ts", out var tsValue) || tsValue.GetString() is not { } ts)
        {
            return null;
        }

        var version = message.TryGetProperty("edited", out var edited) && edited.TryGetProperty("ts", out var editedTs) ? editedTs.GetString() : ts;
        return new ConnectorRecord(ts, version, RecordOperation.Upsert, FromTs(ts), message.Clone());
    }
}
