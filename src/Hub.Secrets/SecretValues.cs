using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Secrets;

/// <summary>
/// The secret values of one credential (API key, client secret, refresh token, ...): an immutable
/// name → value map that cannot leak by accident.
/// </summary>
/// <remarks>
/// <see cref="ToString"/>, the debugger and JSON <em>serialization</em> all show masked values, so a
/// credential logged, returned from an API or put in an event never carries its secrets. JSON
/// <em>deserialization</em> reads real values, so an API request body can bind to this type. Code that
/// needs the real values asks for them by name (the indexer, <see cref="TryGetValue"/>) or enumerates
/// the map; the stores serialize through <see cref="WriteRevealed"/>.
/// </remarks>
[JsonConverter(typeof(SecretValuesJsonConverter))]
[DebuggerDisplay("{ToString(),nq}")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "The name says what it holds; \"SecretValuesDictionary\" adds nothing.")]
public sealed class SecretValues : IReadOnlyDictionary<string, string>
{
    private readonly ImmutableSortedDictionary<string, string> _values;

    private SecretValues(ImmutableSortedDictionary<string, string> values) => _values = values;

    /// <summary>No values.</summary>
    public static SecretValues Empty { get; } = new(ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal));

    /// <summary>Copies <paramref name="values"/>; names are case-sensitive and must not be empty.</summary>
    public static SecretValues From(IEnumerable<KeyValuePair<string, string>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A secret value needs a non-empty name.", nameof(values));
            }

            // Never echo the value: only its name is safe to put in a message.
            builder[name] = value ?? throw new ArgumentException($"The secret value '{name}' is null.", nameof(values));
        }

        return new SecretValues(builder.ToImmutable());
    }

    /// <summary>A copy with <paramref name="name"/> set to <paramref name="value"/>.</summary>
    public SecretValues With(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        return new SecretValues(_values.SetItem(name, value));
    }

    /// <summary>A copy without <paramref name="name"/>.</summary>
    public SecretValues Without(string name) => new(_values.Remove(name));

    /// <inheritdoc />
    public string this[string key] => _values.TryGetValue(key, out var value)
        ? value
        : throw new KeyNotFoundException($"No secret value named '{key}'.");

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc />
    public IEnumerable<string> Values => _values.Values;

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => _values.TryGetValue(key, out value);

    /// <summary>The value named <paramref name="name"/>, or null.</summary>
    public string? GetValueOrDefault(string name) => _values.TryGetValue(name, out var value) ? value : null;

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The same names with masked values, for API responses: <c>sk-…abcd</c> for long values, <c>****</c> otherwise.</summary>
    public IReadOnlyDictionary<string, string> Masked() =>
        _values.ToImmutableSortedDictionary(p => p.Key, p => Mask(p.Value), StringComparer.Ordinal);

    /// <summary>Masks one value: the first 3 and last 4 characters of a value of 16 or more, nothing of a shorter one.</summary>
    public static string Mask(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length >= 16 ? $"{value[..3]}…{value[^4..]}" : "****";
    }

    /// <summary>Names only; values masked.</summary>
    public override string ToString() =>
        "SecretValues { " + string.Join(", ", _values.Keys.Select(k => $"{k} = ****")) + (_values.Count == 0 ? "}" : " }");

    /// <summary>Writes the real values as a JSON object. Only the stores call this, to send values to Vault or to encrypt them.</summary>
    internal void WriteRevealed(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in _values)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads a JSON object of string values (numbers and booleans kept as their JSON text).</summary>
    internal static SecretValues ReadObject(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return Empty;
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            builder[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Null => string.Empty,
                _ => property.Value.GetRawText(),
            };
        }

        return new SecretValues(builder.ToImmutable());
    }

    private sealed class SecretValuesJsonConverter : JsonConverter<SecretValues>
    {
        public override SecretValues Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("Secret values are a JSON object of names to string values.");
            }

            return ReadObject(document.RootElement);
        }

        public override void Write(Utf8JsonWriter writer, SecretValues value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (name, masked) in value.Masked())
            {
                writer.WriteString(name, masked);
            }

            writer.WriteEndObject();
        }
    }
}
