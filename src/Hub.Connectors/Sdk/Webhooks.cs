using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Connectors;

/// <summary>A webhook request as the hub received it: its headers (names case-insensitive) and the raw body, byte for byte (signatures cover these exact bytes, never re-serialized JSON).</summary>
/// <param name="Headers">Request headers; a repeated header holds its first value.</param>
/// <param name="Body">The raw body.</param>
public sealed record WebhookRequest(IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body)
{
    /// <summary>The header's value, or null when absent.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Who issues an integration's webhook secret.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookSecretIssuer>))]
public enum WebhookSecretIssuer
{
    /// <summary>The hub generates it (32 random bytes, shown once) and the user pastes it into the external system (GitHub, Jira, REST).</summary>
    Hub,

    /// <summary>The external system issues it (Slack's signing secret, Zulip's outgoing-webhook token) and the user gives it to the hub.</summary>
    System,
}

/// <summary>Why a webhook request was refused (the <c>reason</c> label of <c>hub_webhook_rejected_total</c>).</summary>
public static class WebhookRejections
{
    /// <summary>No signature (header or token) at all.</summary>
    public const string MissingSignature = "missing_signature";

    /// <summary>A signature that does not match the body under the integration's secret.</summary>
    public const string BadSignature = "bad_signature";

    /// <summary>A signed timestamp outside the accepted window (Slack: 5 minutes).</summary>
    public const string StaleTimestamp = "stale_timestamp";

    /// <summary>A body that is not what the system documents (not JSON, no delivery id).</summary>
    public const string Malformed = "malformed";
}

/// <summary>What a verified webhook request carries.</summary>
/// <param name="DeliveryId">The system's id of this delivery, the same on every redelivery (deduplication key); null when the request is a handshake only.</param>
/// <param name="Reply">A JSON body to answer with instead of the hub's acknowledgement (Slack's <c>url_verification</c> challenge, Zulip's <c>response_not_required</c>), or null.</param>
/// <param name="Records">The records of the integration's stream the delivery carries, in order (none when the event concerns another stream).</param>
public sealed record WebhookContent(string? DeliveryId, JsonElement? Reply, IReadOnlyList<ConnectorRecord> Records)
{
    /// <summary>A handshake answered with <paramref name="reply"/>, nothing stored.</summary>
    public static WebhookContent Handshake(JsonElement reply) => new(null, reply, []);
}

/// <summary>
/// A connector that receives pushed events (its descriptor says <c>webhooks: true</c>): it checks a request's
/// signature exactly as the external system documents it and turns the payload into the same
/// <see cref="ConnectorRecord"/>s its poll would read (same id, version and data), so a record delivered by
/// webhook and later polled unchanged gets the same event id.
/// </summary>
public interface IWebhookReceiver
{
    /// <summary>Who issues the secret the signatures are checked with.</summary>
    WebhookSecretIssuer SecretIssuer { get; }

    /// <summary>Checks <paramref name="request"/> against <paramref name="secret"/> at <paramref name="now"/>, in constant time over the signature bytes.</summary>
    /// <returns>Null when authentic; otherwise one of <see cref="WebhookRejections"/>.</returns>
    string? Verify(WebhookRequest request, string secret, JsonElement configuration, DateTimeOffset now);

    /// <summary>Reads a verified request for <paramref name="stream"/>.</summary>
    /// <exception cref="WebhookPayloadException">The payload is not what the system documents.</exception>
    WebhookContent Read(WebhookRequest request, string stream, JsonElement configuration);
}

/// <summary>A verified webhook payload is not what the system documents (not JSON, no delivery id); the request is refused with 400.</summary>
public sealed class WebhookPayloadException(string message) : Exception(message);

/// <summary>The primitives every documented scheme is built from: HMAC-SHA256 in lower-case hex, compared in constant time.</summary>
public static class WebhookSignatures
{
    /// <summary>HMAC-SHA256 of <paramref name="parts"/> (concatenated) under the UTF-8 bytes of <paramref name="secret"/>.</summary>
    public static byte[] HmacSha256(string secret, params ReadOnlySpan<ReadOnlyMemory<byte>> parts)
    {
        ArgumentNullException.ThrowIfNull(secret);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        foreach (var part in parts)
        {
            hmac.AppendData(part.Span);
        }

        return hmac.GetHashAndReset();
    }

    /// <summary>
    /// Whether <paramref name="presented"/> (<paramref name="prefix"/> then hex, either case) is <paramref name="expected"/>.
    /// The comparison is <see cref="CryptographicOperations.FixedTimeEquals"/> over the decoded bytes; a value that is
    /// not hex compares against zeros, so the time taken never depends on where the values differ.
    /// </summary>
    public static bool HexMatches(string presented, string prefix, ReadOnlySpan<byte> expected)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var hex = presented.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? presented[prefix.Length..] : string.Empty;
        var decoded = new byte[expected.Length];
        var wellFormed = hex.Length == expected.Length * 2 && Convert.FromHexString(hex, decoded, out _, out _) == System.Buffers.OperationStatus.Done;
        return CryptographicOperations.FixedTimeEquals(decoded, expected) & wellFormed;
    }

    /// <summary>Whether two tokens are equal, in time independent of their content and of where they differ (their SHA-256 digests are compared).</summary>
    public static bool TokensMatch(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>Parses the body as JSON.</summary>
    /// <exception cref="WebhookPayloadException">It is not JSON.</exception>
    public static JsonDocument Json(WebhookRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return JsonDocument.Parse(request.Body);
        }
        catch (JsonException)
        {
            throw new WebhookPayloadException("The body is not JSON.");
        }
    }

    /// <summary>The text of <paramref name="element"/>: a string as is, a number as written, otherwise null.</summary>
    public static string? Text(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        _ => null,
    };
}
