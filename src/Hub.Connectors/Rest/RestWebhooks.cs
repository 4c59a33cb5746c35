using System.Text.Json;
using IntegrationHub.Connectors.Http;

namespace IntegrationHub.Connectors.Rest;

/// <summary>
/// Webhooks of a generic REST source: <c>{webhook.signatureHeader}: {webhook.signaturePrefix}&lt;hex HMAC-SHA256 of the raw
/// body keyed by the hub's webhook secret&gt;</c> (default <c>X-Signature-256: sha256=…</c>, GitHub's scheme:
/// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries), delivery id in
/// <c>{webhook.deliveryIdHeader}</c> (default <c>X-Webhook-Id</c>). The body is one record or, like a polled page,
/// holds the records at <c>recordSelector</c>; ids, versions and deletes follow <c>idField</c>, <c>cursorField</c>
/// and <c>deletedField</c>, as a poll reads them.
/// </summary>
public sealed partial class RestConnector : IWebhookReceiver
{
    /// <inheritdoc />
    public WebhookSecretIssuer SecretIssuer => WebhookSecretIssuer.Hub;

    /// <inheritdoc />
    public string? Verify(WebhookRequest request, string secret, JsonElement configuration, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = Settings(configuration);
        if (request.Header(settings.Webhook.SignatureHeader) is not { Length: > 0 } signature)
        {
            return WebhookRejections.MissingSignature;
        }

        return WebhookSignatures.HexMatches(signature, settings.Webhook.SignaturePrefix, WebhookSignatures.HmacSha256(secret, request.Body)) ? null : WebhookRejections.BadSignature;
    }

    /// <inheritdoc />
    public WebhookContent Read(WebhookRequest request, string stream, JsonElement configuration)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = Settings(configuration);
        var delivery = request.Header(settings.Webhook.DeliveryIdHeader) is { Length: > 0 } id ? id : throw new WebhookPayloadException($"{settings.Webhook.DeliveryIdHeader} is missing.");
        using var body = WebhookSignatures.Json(request);
        var root = body.RootElement;
        var items = root.ValueKind == JsonValueKind.Object && settings.RecordSelector.Length > 0 && JsonRecordReader.Select(root, settings.RecordSelector) is { } selected ? selected : root;
        var records = new List<ConnectorRecord>();
        foreach (var item in items.ValueKind == JsonValueKind.Array ? items.EnumerateArray().ToList() : [items])
        {
            var recordId = JsonRecordReader.Select(item, settings.IdField) is { } idValue && Text(idValue) is { } text ? text : throw new WebhookPayloadException($"A record has no '{settings.IdField}' (idField).");
            var version = settings.CursorField is { Length: > 0 } field && JsonRecordReader.Select(item, field) is { } v ? Text(v) : null;
            var deleted = settings.DeletedField is { Length: > 0 } d && JsonRecordReader.Select(item, d) is { ValueKind: JsonValueKind.True };
            DateTimeOffset? at = version is not null && WatermarkCursor.TryParseInstant(version, out var instant) ? instant : null;
            records.Add(new ConnectorRecord(recordId, version, deleted ? RecordOperation.Delete : RecordOperation.Upsert, at, item.Clone()));
        }

        return new WebhookContent(delivery, null, records);
    }

    private static RestConfiguration Settings(JsonElement configuration) =>
        ConnectorConfigurationValidator.Bind(typeof(RestConfiguration), configuration, out var bound).Count == 0
            ? (RestConfiguration)bound!
            : throw new WebhookPayloadException("The integration's configuration does not bind.");
}
