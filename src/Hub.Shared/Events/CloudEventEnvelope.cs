using System.Net.Mime;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using SdkCloudEvent = CloudNative.CloudEvents.CloudEvent;

namespace IntegrationHub.Shared.Events;

/// <summary>
/// The hub's CloudEvents envelope on the CNCF CloudEvents SDK (CloudNative.CloudEvents 2.9.0 with its System.Text.Json
/// formatter): converts a <see cref="CloudEvent"/> to and from the SDK's event and encodes it in structured mode
/// (<see href="https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md">CloudEvents JSON format</see>).
/// </summary>
/// <remarks>
/// Attributes: <c>specversion</c> <c>1.0</c>, <c>id</c>, <c>source</c>, <c>type</c>, <c>subject</c>, <c>time</c>
/// (RFC 3339; UTC times are written with <c>Z</c>), <c>datacontenttype</c> and the hub's string extension attributes
/// <c>tenantid</c>, <c>integrationid</c>, <c>runid</c>; <c>data</c> is the JSON record itself, not base64. Absent
/// optional attributes are left out. The SDK refuses an event without <c>id</c>, <c>source</c> or <c>type</c>.
/// </remarks>
public static class CloudEventEnvelope
{
    /// <summary>Structured-mode content type: <c>application/cloudevents+json; charset=utf-8</c>.</summary>
    public const string StructuredContentType = "application/cloudevents+json; charset=utf-8";

    /// <summary>Extension attribute <c>tenantid</c> (string).</summary>
    public static CloudEventAttribute TenantIdAttribute { get; } = CloudEventAttribute.CreateExtension("tenantid", CloudEventAttributeType.String);

    /// <summary>Extension attribute <c>integrationid</c> (string).</summary>
    public static CloudEventAttribute IntegrationIdAttribute { get; } = CloudEventAttribute.CreateExtension("integrationid", CloudEventAttributeType.String);

    /// <summary>Extension attribute <c>runid</c> (string).</summary>
    public static CloudEventAttribute RunIdAttribute { get; } = CloudEventAttribute.CreateExtension("runid", CloudEventAttributeType.String);

    /// <summary>The hub's extension attributes, for decoding.</summary>
    public static IReadOnlyList<CloudEventAttribute> ExtensionAttributes { get; } = [TenantIdAttribute, IntegrationIdAttribute, RunIdAttribute];

    /// <summary>The SDK's JSON formatter the hub encodes and decodes with.</summary>
    public static JsonEventFormatter Formatter { get; } = new();

    /// <summary>
    /// A source's record id as a <c>subject</c> the CloudEvents spec (v1.0.2, "Type System": String) and so the SDK accept:
    /// the id itself, except that each control character (U+0000–U+001F, U+007F–U+009F) and each unpaired surrogate is
    /// written as its UTF-8 bytes percent-encoded (<c>%07</c>; an unpaired surrogate as U+FFFD, <c>%EF%BF%BD</c>).
    /// </summary>
    /// <remarks>
    /// A record id comes from the external system (any JSON string); left as it is, an id with a control character made
    /// an event the SDK refuses to encode, which could not even be kept as a dead letter. The event's id and key keep the
    /// record id as it is.
    /// </remarks>
    public static string SubjectOf(string recordId)
    {
        ArgumentNullException.ThrowIfNull(recordId);
        var i = 0;
        while (i < recordId.Length && Allowed(recordId, i))
        {
            i += char.IsHighSurrogate(recordId[i]) ? 2 : 1;
        }

        if (i >= recordId.Length)
        {
            return recordId;
        }

        var text = new System.Text.StringBuilder(recordId.Length + 8).Append(recordId, 0, i);
        Span<byte> utf8 = stackalloc byte[4];
        while (i < recordId.Length)
        {
            if (Allowed(recordId, i))
            {
                var width = char.IsHighSurrogate(recordId[i]) ? 2 : 1;
                text.Append(recordId, i, width);
                i += width;
                continue;
            }

            var rune = char.IsSurrogate(recordId[i]) ? System.Text.Rune.ReplacementChar : new System.Text.Rune(recordId[i]);
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }

            i++;
        }

        return text.ToString();
    }

    // The char at index is an allowed character (a surrogate pair counts when both halves are there).
    private static bool Allowed(string text, int index)
    {
        var c = text[index];
        if (char.IsHighSurrogate(c))
        {
            return index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]);
        }

        return !char.IsLowSurrogate(c) && !char.IsControl(c);
    }

    /// <summary>The SDK event with the same attributes and data.</summary>
    /// <exception cref="ArgumentException">The spec version is not one the SDK knows, or <c>source</c> is not a URI-reference.</exception>
    public static SdkCloudEvent ToSdk(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var version = CloudEventsSpecVersion.FromVersionId(cloudEvent.SpecVersion)
            ?? throw new ArgumentException($"Unknown CloudEvents specversion '{cloudEvent.SpecVersion}'.", nameof(cloudEvent));
        var sdk = new SdkCloudEvent(version, ExtensionAttributes)
        {
            Id = cloudEvent.Id,
            Source = Uri.TryCreate(cloudEvent.Source, UriKind.RelativeOrAbsolute, out var source) ? source : throw new ArgumentException($"The CloudEvent source '{cloudEvent.Source}' is not a URI-reference.", nameof(cloudEvent)),
            Type = cloudEvent.Type,
            Subject = cloudEvent.Subject,
            Time = cloudEvent.Time,
            DataContentType = cloudEvent.DataContentType,
            Data = cloudEvent.Data.ValueKind == JsonValueKind.Undefined ? null : cloudEvent.Data,
        };
        sdk[TenantIdAttribute] = cloudEvent.TenantId;
        sdk[IntegrationIdAttribute] = cloudEvent.IntegrationId;
        sdk[RunIdAttribute] = cloudEvent.RunId;
        return sdk;
    }

    /// <summary>The hub's view of an SDK event.</summary>
    /// <exception cref="ArgumentException">A required attribute (<c>id</c>, <c>source</c>, <c>type</c>, <c>tenantid</c>) is missing.</exception>
    public static CloudEvent FromSdk(SdkCloudEvent sdk)
    {
        ArgumentNullException.ThrowIfNull(sdk);
        return new CloudEvent
        {
            SpecVersion = sdk.SpecVersion.VersionId,
            Id = sdk.Id ?? throw new ArgumentException("The CloudEvent has no id.", nameof(sdk)),
            Source = sdk.Source?.OriginalString ?? throw new ArgumentException("The CloudEvent has no source.", nameof(sdk)),
            Type = sdk.Type ?? throw new ArgumentException("The CloudEvent has no type.", nameof(sdk)),
            Subject = sdk.Subject,
            Time = sdk.Time,
            DataContentType = sdk.DataContentType ?? "application/json",
            TenantId = sdk[TenantIdAttribute] as string ?? throw new ArgumentException("The CloudEvent has no tenantid.", nameof(sdk)),
            IntegrationId = sdk[IntegrationIdAttribute] as string,
            RunId = sdk[RunIdAttribute] as string,
            Data = sdk.Data is JsonElement data ? data.Clone() : default,
        };
    }

    /// <summary>The event in structured mode: UTF-8 JSON, content type <see cref="StructuredContentType"/>, encoded by the SDK's formatter.</summary>
    /// <remarks>
    /// Encoded once per event; the same bytes go to the outbox, the event log's page and the Pulsar message. A hand-written
    /// encoder of the same JSON allocated 536 B per event instead of the SDK's ~10 KB (issue 17's hot-path benchmark), and
    /// was dropped for the SDK: the envelope is a format with a well-kept implementation, which the hub should not copy.
    /// </remarks>
    /// <exception cref="ArgumentException">The SDK refuses the event (no id, source or type; a source that is not a URI-reference; an unknown spec version).</exception>
    public static ReadOnlyMemory<byte> EncodeStructured(CloudEvent cloudEvent) => Formatter.EncodeStructuredModeMessage(ToSdk(cloudEvent), out _);

    /// <summary>
    /// Each event in structured mode, the same bytes as <see cref="EncodeStructured"/> gives, encoded by the SDK's formatter
    /// in one batch-mode call (<see href="https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md#4-json-batch-format">JSON
    /// batch format</see>: a JSON array of structured-mode events) and sliced out of it: one writer and one buffer for a
    /// page of events instead of one each (issue 17: ~2.8 KB allocated per event instead of ~8.7 KB). The slices share
    /// one array.
    /// </summary>
    /// <returns>The events' bytes in order; null when the SDK refuses one of them (encode them one by one to learn which).</returns>
    public static IReadOnlyList<ReadOnlyMemory<byte>>? EncodeStructuredEach(IReadOnlyList<CloudEvent> cloudEvents)
    {
        ArgumentNullException.ThrowIfNull(cloudEvents);
        ReadOnlyMemory<byte> batch;
        try
        {
            batch = Formatter.EncodeBatchModeMessage(cloudEvents.Select(ToSdk), out _);
        }
        catch (ArgumentException)
        {
            return null;
        }

        var each = new List<ReadOnlyMemory<byte>>(cloudEvents.Count);
        var reader = new Utf8JsonReader(batch.Span);
        reader.Read(); // [
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            each.Add(batch[start..(int)reader.BytesConsumed]);
        }

        return each.Count == cloudEvents.Count ? each : throw new InvalidOperationException($"The CloudEvents SDK encoded {each.Count} of {cloudEvents.Count} events in a batch.");
    }

    /// <summary>Reads a structured-mode JSON event.</summary>
    /// <exception cref="ArgumentException">The body is not a CloudEvent the SDK accepts, or lacks a hub attribute.</exception>
    public static CloudEvent DecodeStructured(ReadOnlyMemory<byte> body) =>
        FromSdk(Formatter.DecodeStructuredModeMessage(body, new ContentType(StructuredContentType), ExtensionAttributes));

    /// <summary>Reads a structured-mode event from a JSON element; <c>null</c> attribute values count as absent.</summary>
    /// <exception cref="ArgumentException">The element is not a CloudEvent the SDK accepts, or lacks a hub attribute.</exception>
    public static CloudEvent FromJson(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object && element.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.Null))
        {
            var withoutNulls = new JsonObject();
            foreach (var property in element.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null))
            {
                withoutNulls[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }

            element = JsonSerializer.SerializeToElement(withoutNulls);
        }

        return FromSdk(Formatter.ConvertFromJsonElement(element, ExtensionAttributes));
    }
}

/// <summary>Writes and reads <see cref="CloudEvent"/> as the SDK's structured-mode JSON, whichever serializer options are in use.</summary>
internal sealed class CloudEventJsonConverter : JsonConverter<CloudEvent>
{
    public override CloudEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var element = JsonElement.ParseValue(ref reader);
        try
        {
            return CloudEventEnvelope.FromJson(element);
        }
        catch (ArgumentException e)
        {
            throw new JsonException($"Not a CloudEvent: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new JsonException($"Not a CloudEvent: {e.Message}", e);
        }
    }

    public override void Write(Utf8JsonWriter writer, CloudEvent value, JsonSerializerOptions options) =>
        writer.WriteRawValue(CloudEventEnvelope.EncodeStructured(value).Span);
}
