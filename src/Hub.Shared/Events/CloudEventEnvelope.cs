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
            Source = new Uri(cloudEvent.Source, UriKind.RelativeOrAbsolute),
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

    /// <summary>The event in structured mode: UTF-8 JSON, content type <see cref="StructuredContentType"/>.</summary>
    /// <remarks>
    /// The hub's own events (spec version 1.0, JSON data) are written straight to a reused buffer with the SDK's attribute
    /// formatting (<see cref="CloudEventAttributeType.Timestamp"/> for <c>time</c>) and the SDK's rules (<c>id</c>,
    /// <c>source</c>, <c>type</c> required, <c>source</c> a URI-reference), giving the JSON the SDK's formatter gives
    /// (a test compares them) for about a tenth of its allocations; any other event goes through the SDK's formatter.
    /// </remarks>
    /// <exception cref="ArgumentException">The SDK would refuse the event (no id, source or type; a source that is not a URI-reference; an unknown spec version).</exception>
    public static ReadOnlyMemory<byte> EncodeStructured(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.SpecVersion != "1.0" || cloudEvent.DataContentType != "application/json")
        {
            return Formatter.EncodeStructuredModeMessage(ToSdk(cloudEvent), out _);
        }

        if (string.IsNullOrEmpty(cloudEvent.Id) || string.IsNullOrEmpty(cloudEvent.Type) || string.IsNullOrEmpty(cloudEvent.Source))
        {
            throw new ArgumentException("A CloudEvent needs id, source and type.", nameof(cloudEvent));
        }

        if (!IsUriReference(cloudEvent.Source))
        {
            throw new ArgumentException($"The CloudEvent source '{cloudEvent.Source}' is not a URI-reference.", nameof(cloudEvent));
        }

        var encoder = Encoder.Current;
        var writer = encoder.Start();
        writer.WriteStartObject();
        writer.WriteString(SpecVersionName, "1.0");
        writer.WriteString(IdName, cloudEvent.Id);
        writer.WriteString(SourceName, cloudEvent.Source);
        writer.WriteString(TypeName, cloudEvent.Type);
        if (cloudEvent.Subject is not null)
        {
            writer.WriteString(SubjectName, cloudEvent.Subject);
        }

        if (cloudEvent.Time is { } time)
        {
            writer.WriteString(TimeName, CloudEventAttributeType.Timestamp.Format(time));
        }

        writer.WriteString(DataContentTypeName, cloudEvent.DataContentType);
        writer.WriteString(TenantIdName, cloudEvent.TenantId);
        if (cloudEvent.IntegrationId is not null)
        {
            writer.WriteString(IntegrationIdName, cloudEvent.IntegrationId);
        }

        if (cloudEvent.RunId is not null)
        {
            writer.WriteString(RunIdName, cloudEvent.RunId);
        }

        if (cloudEvent.Data.ValueKind != JsonValueKind.Undefined)
        {
            writer.WritePropertyName(DataName);
            cloudEvent.Data.WriteTo(writer);
        }

        writer.WriteEndObject();
        return encoder.Finish();
    }

    private static readonly JsonEncodedText SpecVersionName = JsonEncodedText.Encode("specversion");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText SourceName = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText SubjectName = JsonEncodedText.Encode("subject");
    private static readonly JsonEncodedText TimeName = JsonEncodedText.Encode("time");
    private static readonly JsonEncodedText DataContentTypeName = JsonEncodedText.Encode("datacontenttype");
    private static readonly JsonEncodedText TenantIdName = JsonEncodedText.Encode("tenantid");
    private static readonly JsonEncodedText IntegrationIdName = JsonEncodedText.Encode("integrationid");
    private static readonly JsonEncodedText RunIdName = JsonEncodedText.Encode("runid");
    private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("data");

    // The hub's sources are absolute paths of ids ("/tenants/t/integrations/i/streams/s"): no Uri needs parsing for them.
    private static bool IsUriReference(string source)
    {
        foreach (var c in source)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or ':' or '~'))
            {
                return Uri.TryCreate(source, UriKind.RelativeOrAbsolute, out _);
            }
        }

        return true;
    }

    // One buffer and writer per thread, reused: an event costs the bytes it encodes to.
    private sealed class Encoder : IDisposable
    {
        [ThreadStatic]
        private static Encoder? _current;

        private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(4096);
        private readonly Utf8JsonWriter _writer;

        private Encoder() => _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

        public static Encoder Current => _current ??= new Encoder();

        public Utf8JsonWriter Start()
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            return _writer;
        }

        public ReadOnlyMemory<byte> Finish()
        {
            _writer.Flush();
            var bytes = _buffer.WrittenSpan.ToArray();
            if (_buffer.Capacity > 1 << 20)
            {
                _current = null; // an outsized event: do not keep its buffer
                Dispose();
            }

            return bytes;
        }

        public void Dispose() => _writer.Dispose();
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
