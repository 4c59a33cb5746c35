using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Shared.Events;

/// <summary>
/// A CloudEvents 1.0 event: what the hub publishes for every record it syncs, whatever the sink (Pulsar, or the
/// Cosmos event log when Pulsar is not configured). A typed view of the envelope; its JSON, wherever it is
/// written or read (Pulsar payloads, Cosmos documents, API answers), is the structured-mode JSON format of the
/// CNCF CloudEvents SDK (<see cref="CloudEventEnvelope"/>), so the spec's rules and encoding are the SDK's.
/// </summary>
[JsonConverter(typeof(CloudEventJsonConverter))]
public sealed record CloudEvent
{
    /// <summary>Always <c>1.0</c> (<c>specversion</c>).</summary>
    public string SpecVersion { get; init; } = "1.0";

    /// <summary>
    /// <c>id</c>. Deterministic: the same source record with the same content (and version) always gets the same id, and a
    /// changed record a new one (<see cref="EventIds"/>), so consumers and sinks can drop duplicates. Unique within
    /// <see cref="Source"/>: CloudEvents 1.0 (§3.1.1 <c>id</c>) says source + id identify an event.
    /// </summary>
    public required string Id { get; init; }

    /// <summary><c>source</c>, a URI-reference: <c>/tenants/{tenant}/integrations/{integration}/streams/{stream}</c>.</summary>
    public required string Source { get; init; }

    /// <summary><c>type</c>: reverse-DNS, e.g. <c>com.integrationhub.github.issues.upserted</c>.</summary>
    public required string Type { get; init; }

    /// <summary><c>subject</c>: the source record's id.</summary>
    public string? Subject { get; init; }

    /// <summary><c>time</c> (RFC 3339): when the record changed at the source, or when it was read.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary><c>datacontenttype</c>: always <c>application/json</c>.</summary>
    public string DataContentType { get; init; } = "application/json";

    /// <summary>Extension attribute <c>tenantid</c>: the owning tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Extension attribute <c>integrationid</c>: the integration.</summary>
    public string? IntegrationId { get; init; }

    /// <summary>Extension attribute <c>runid</c>: the run that published it.</summary>
    public string? RunId { get; init; }

    /// <summary><c>data</c>: the transformed record (JSON).</summary>
    public JsonElement Data { get; init; }
}

/// <summary>
/// Deterministic event ids, so a retried run republishes the same ids and nothing is delivered twice, while a
/// record whose content changed is a new event.
/// </summary>
/// <remarks>
/// The id of a record's event is the first 128 bits of SHA-256 over the integration, the stream, the record id,
/// the record's version (when the source has one), the operation and the digest of the event's data in
/// canonical form (<see cref="DigestOf"/>), in lower-case hex (32 characters). So a full-refresh source without
/// versions still gets a new event when a record changes, and re-reading an unchanged record gives the id already
/// published, which the sink recognises as a duplicate. The source of the event names the integration and stream,
/// so source + id identify one event as CloudEvents 1.0 requires.
/// </remarks>
public static class EventIds
{
    /// <summary>The id of the event for <paramref name="recordId"/> at <paramref name="recordVersion"/> in an integration's stream, without regard to content (kept for events that carry none).</summary>
    public static string For(string integrationId, string stream, string recordId, string? recordVersion) =>
        Hash($"{integrationId}\n{stream}\n{recordId}\n{recordVersion}");

    /// <summary>The id of the event publishing <paramref name="data"/> (the record after mapping) for <paramref name="recordId"/>.</summary>
    /// <param name="integrationId">The integration.</param>
    /// <param name="stream">The connector stream.</param>
    /// <param name="recordId">The source record's id.</param>
    /// <param name="recordVersion">The source's version of the record (an updated-at, an etag), or null when it has none.</param>
    /// <param name="operation"><c>upserted</c> or <c>deleted</c>.</param>
    /// <param name="data">The event's data, as published.</param>
    public static string For(string integrationId, string stream, string recordId, string? recordVersion, string operation, JsonElement data)
    {
        // The same bytes as Hash($"{integrationId}\n{stream}\n{recordId}\n{recordVersion}\n{operation}\n{DigestOf(data)}"), without the strings.
        var scratch = Scratch.Current;
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        scratch.Canonical(data, digest);
        Span<byte> hex = stackalloc byte[SHA256.HashSizeInBytes * 2];
        ToHexLower(digest, hex);
        var hash = scratch.Hash;
        AppendUtf8(hash, integrationId);
        AppendUtf8(hash, stream);
        AppendUtf8(hash, recordId);
        AppendUtf8(hash, recordVersion);
        AppendUtf8(hash, operation);
        hash.AppendData(hex);
        Span<byte> id = stackalloc byte[SHA256.HashSizeInBytes];
        hash.GetHashAndReset(id);
        return Convert.ToHexStringLower(id[..16]);
    }

    /// <summary>
    /// SHA-256 (lower-case hex) of <paramref name="data"/> in canonical form: object members sorted by name
    /// (ordinal, UTF-16), no insignificant white space, strings re-escaped the one way the writer does, numbers as
    /// written. Two JSON texts that differ only in member order, spacing or string escapes digest the same.
    /// </summary>
    public static string DigestOf(JsonElement data)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Scratch.Current.Canonical(data, digest);
        return Convert.ToHexStringLower(digest);
    }

    private static void AppendUtf8(IncrementalHash hash, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            var max = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (max <= 512)
            {
                Span<byte> bytes = stackalloc byte[max];
                hash.AppendData(bytes[..Encoding.UTF8.GetBytes(text, bytes)]);
            }
            else
            {
                hash.AppendData(Encoding.UTF8.GetBytes(text));
            }
        }

        hash.AppendData("\n"u8);
    }

    private static void ToHexLower(ReadOnlySpan<byte> bytes, Span<byte> hex)
    {
        const string digits = "0123456789abcdef";
        for (var i = 0; i < bytes.Length; i++)
        {
            hex[2 * i] = (byte)digits[bytes[i] >> 4];
            hex[(2 * i) + 1] = (byte)digits[bytes[i] & 0xF];
        }
    }

    // A reused buffer, writer and hash per thread: an id costs its own string and little else. The hash digests the
    // canonical data first and then the id's fields, one after the other.
    private sealed class Scratch : IDisposable
    {
        [ThreadStatic]
        private static Scratch? _current;

        private readonly ArrayBufferWriter<byte> _buffer = new(1024);
        private readonly Utf8JsonWriter _writer;

        private Scratch() => _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

        public static Scratch Current => _current ??= new Scratch();

        public IncrementalHash Hash { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Canonical(JsonElement data, Span<byte> digest)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            WriteCanonical(_writer, data);
            _writer.Flush();
            Hash.AppendData(_buffer.WrittenSpan); // the reused hash: a one-shot SHA256.HashData sets up an OpenSSL digest context per call
            Hash.GetHashAndReset(digest);
            if (_buffer.Capacity > 1 << 20)
            {
                _current = null; // an outsized record: do not keep its buffer
                Dispose();
            }
        }

        public void Dispose()
        {
            _writer.Dispose();
            Hash.Dispose();
        }
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteCanonicalObject(writer, value);
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(value); // with its quotes
                if (raw.IndexOf((byte)'\\') < 0)
                {
                    writer.WriteStringValue(raw[1..^1]); // no escapes: the text itself, escaped by the writer as GetString() would be
                }
                else
                {
                    writer.WriteStringValue(value.GetString());
                }

                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
                break;
            case JsonValueKind.True or JsonValueKind.False:
                writer.WriteBooleanValue(value.GetBoolean());
                break;
            default:
                writer.WriteNullValue(); // null, and an absent (undefined) value
                break;
        }
    }

    // Members by name in ordinal UTF-16 order, members with the same name in document order. Names of ASCII without
    // escapes (nearly all) are compared and written as their UTF-8 bytes, which order the same; others as strings.
    private static void WriteCanonicalObject(Utf8JsonWriter writer, JsonElement value)
    {
        var count = value.GetPropertyCount();
        var members = ArrayPool<(JsonProperty Property, int Index)>.Shared.Rent(count);
        try
        {
            var n = 0;
            var plain = true;
            foreach (var property in value.EnumerateObject())
            {
                members[n] = (property, n);
                n++;
                plain = plain && IsPlainAscii(JsonMarshal.GetRawUtf8PropertyName(property));
            }

            Array.Sort(members, 0, n, plain ? RawNameOrder.Instance : NameOrder.Instance);
            writer.WriteStartObject();
            for (var i = 0; i < n; i++)
            {
                var property = members[i].Property;
                if (plain)
                {
                    writer.WritePropertyName(JsonMarshal.GetRawUtf8PropertyName(property));
                }
                else
                {
                    writer.WritePropertyName(property.Name);
                }

                WriteCanonical(writer, property.Value);
            }

            writer.WriteEndObject();
        }
        finally
        {
            ArrayPool<(JsonProperty Property, int Index)>.Shared.Return(members, clearArray: true);
        }
    }

    private static bool IsPlainAscii(ReadOnlySpan<byte> name) => !name.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E) && name.IndexOf((byte)'\\') < 0;

    private sealed class RawNameOrder : IComparer<(JsonProperty Property, int Index)>
    {
        public static readonly RawNameOrder Instance = new();

        public int Compare((JsonProperty Property, int Index) x, (JsonProperty Property, int Index) y)
        {
            var order = JsonMarshal.GetRawUtf8PropertyName(x.Property).SequenceCompareTo(JsonMarshal.GetRawUtf8PropertyName(y.Property));
            return order != 0 ? order : x.Index.CompareTo(y.Index);
        }
    }

    private sealed class NameOrder : IComparer<(JsonProperty Property, int Index)>
    {
        public static readonly NameOrder Instance = new();

        public int Compare((JsonProperty Property, int Index) x, (JsonProperty Property, int Index) y)
        {
            var order = string.CompareOrdinal(x.Property.Name, y.Property.Name);
            return order != 0 ? order : x.Index.CompareTo(y.Index);
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
}
