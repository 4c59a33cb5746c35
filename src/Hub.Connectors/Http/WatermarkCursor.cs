using System.Globalization;
using System.Text.Json;

namespace IntegrationHub.Connectors.Http;

/// <summary>
/// The incremental cursor of APIs that filter by "changed since" (GitHub <c>since</c>, Jira <c>updated &gt;=</c>,
/// generic REST): the highest cursor value handed off plus the ids handed off <em>at exactly that value</em>.
/// Resuming asks the API from the value inclusively and skips those ids, so records sharing a timestamp
/// are never split across runs (lost) nor read twice. JSON: <c>{"value":"2024-05-01T10:00:00Z","ids":["7","9"]}</c>.
/// </summary>
public sealed class WatermarkCursor
{
    private readonly HashSet<string> _ids;

    private WatermarkCursor(string? value, IEnumerable<string> ids)
    {
        Value = value;
        _ids = new HashSet<string>(ids, StringComparer.Ordinal);
    }

    /// <summary>The highest value handed off; <see langword="null"/> before the first record.</summary>
    public string? Value { get; private set; }

    /// <summary>Ids handed off at <see cref="Value"/>.</summary>
    public IReadOnlyCollection<string> Ids => _ids;

    /// <summary>Reads a stored cursor; <see langword="null"/> or an empty object starts from the beginning.</summary>
    public static WatermarkCursor From(JsonElement? cursor, string? start = null)
    {
        if (cursor is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
        {
            var ids = json.TryGetProperty("ids", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(i => i.GetString()!).ToList()
                : [];
            return new WatermarkCursor(value.GetString(), ids);
        }

        return new WatermarkCursor(start, []);
    }

    /// <summary>Whether a record (its cursor value and id) is after the cursor, i.e. not handed off yet.</summary>
    public bool IsNew(string value, string id) =>
        Value is null || Compare(value, Value) switch
        {
            > 0 => true,
            0 => !_ids.Contains(id),
            _ => false,
        };

    /// <summary>Moves the cursor past a handed-off record.</summary>
    public void Advance(string value, string id)
    {
        var order = Value is null ? 1 : Compare(value, Value);
        if (order > 0)
        {
            Value = value;
            _ids.Clear();
            _ids.Add(id);
        }
        else if (order == 0)
        {
            _ids.Add(id);
        }
    }

    /// <summary>The cursor as JSON state.</summary>
    public JsonElement ToJson() => JsonSerializer.SerializeToElement(new { value = Value, ids = _ids.Order(StringComparer.Ordinal).ToArray() });

    /// <summary>
    /// Orders cursor values: numerically when both are numbers, by instant when both are timestamps (so
    /// <c>+00:00</c> and <c>Z</c> forms agree), else ordinally.
    /// </summary>
    public static int Compare(string left, string right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (decimal.TryParse(left, NumberStyles.Float, CultureInfo.InvariantCulture, out var l) && decimal.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var r))
        {
            return l.CompareTo(r);
        }

        if (TryParseInstant(left, out var lt) && TryParseInstant(right, out var rt))
        {
            return lt.CompareTo(rt);
        }

        return string.CompareOrdinal(left, right);
    }

    /// <summary>Parses ISO 8601 timestamps, including Jira's <c>2024-05-01T10:00:00.000+0000</c>.</summary>
    public static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant))
        {
            return true;
        }

        return DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out instant)
            || (text.Length > 5 && DateTimeOffset.TryParse(text.Insert(text.Length - 2, ":"), CultureInfo.InvariantCulture, DateTimeStyles.None, out instant));
    }
}
