using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace IntegrationHub.Comparison;

/// <summary>
/// The records of the comparison's paged source: deterministic, about 300 bytes of JSON each, with a nested
/// object (<c>address</c>) so the mapping has a nested field to take. Shared (linked) by the <c>hotpath</c>
/// micro-benchmark in Hub.Benchmarks so both measure the same shape.
/// </summary>
public static class SourceRecords
{
    /// <summary>Records per page, as the job specifies.</summary>
    public const int PageSize = 1_000;

    /// <summary>The hub's mapping of the job: a kept field, a rename and a nested field.</summary>
    public const string HubMappingJson = """{"id":"$.id","fullName":"$.name","city":"$.address.city"}""";

    private static readonly string[] Cities = ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Groningen", "Maastricht", "Leiden", "Delft"];

    /// <summary>Writes page <paramref name="page"/> (1-based) of a source of <paramref name="total"/> records: a JSON array, empty past the end.</summary>
    public static void WritePage(IBufferWriter<byte> output, long total, long page, int pageSize = PageSize)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartArray();
        var first = (page - 1) * pageSize;
        var end = Math.Min(total, first + pageSize);
        for (var i = Math.Max(0, first); i < end; i++)
        {
            WriteRecord(writer, i + 1);
        }

        writer.WriteEndArray();
    }

    /// <summary>How many records page <paramref name="page"/> of <paramref name="total"/> holds.</summary>
    public static int CountOnPage(long total, long page, int pageSize = PageSize) =>
        page < 1 ? 0 : (int)Math.Clamp(total - ((page - 1) * pageSize), 0, pageSize);

    private static void WriteRecord(Utf8JsonWriter writer, long id)
    {
        Span<char> buffer = stackalloc char[64];
        writer.WriteStartObject();
        writer.WriteNumber("id"u8, id);
        writer.WriteString("name"u8, Format(buffer, "Customer ", id));
        writer.WriteString("email"u8, string.Create(CultureInfo.InvariantCulture, $"customer{id}@example.test"));
        writer.WriteString("status"u8, (id % 7) == 0 ? "inactive"u8 : "active"u8);
        writer.WriteStartObject("address"u8);
        writer.WriteString("street"u8, Format(buffer, "Main Street ", id % 500));
        writer.WriteString("city"u8, Cities[id % Cities.Length]);
        writer.WriteString("zip"u8, string.Create(CultureInfo.InvariantCulture, $"{1000 + (id % 9000):D4}AB"));
        writer.WriteString("country"u8, "NL"u8);
        writer.WriteEndObject();
        writer.WriteString("createdAt"u8, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(id));
        writer.WriteNumber("score"u8, (id % 10_000) / 100.0);
        writer.WriteStartArray("tags"u8);
        writer.WriteStringValue("customer"u8);
        writer.WriteStringValue((id & 1) == 0 ? "even"u8 : "odd"u8);
        writer.WriteEndArray();
        writer.WriteString("notes"u8, "Loopback benchmark record; padding so one record is about 300 bytes."u8);
        writer.WriteEndObject();
    }

    private static ReadOnlySpan<char> Format(Span<char> buffer, string prefix, long value)
    {
        prefix.CopyTo(buffer);
        value.TryFormat(buffer[prefix.Length..], out var written, default, CultureInfo.InvariantCulture);
        return buffer[..(prefix.Length + written)];
    }
}
