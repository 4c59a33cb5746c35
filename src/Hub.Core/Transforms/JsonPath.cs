using System.Globalization;
using System.Text.Json;

namespace IntegrationHub.Core.Transforms;

/// <summary>
/// The small path language of mappings: <c>$</c>, then <c>.name</c>, <c>['name with spaces']</c> and
/// <c>[index]</c> segments, e.g. <c>$.fields.assignee.displayName</c> or <c>$.labels[0].name</c>.
/// Parsed once when a flow is saved; evaluated per record without allocating.
/// </summary>
public sealed class JsonPath
{
    private readonly object[] _segments;

    private JsonPath(string text, object[] segments)
    {
        Text = text;
        _segments = segments;
    }

    /// <summary>The path as written.</summary>
    public string Text { get; }

    /// <summary>Parses a path; the error says what is wrong.</summary>
    public static bool TryParse(string text, out JsonPath? path, out string? error)
    {
        path = null;
        if (string.IsNullOrEmpty(text) || text[0] != '$')
        {
            error = $"'{text}' must start with '$'.";
            return false;
        }

        var segments = new List<object>();
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var start = ++i;
                while (i < text.Length && text[i] != '.' && text[i] != '[')
                {
                    i++;
                }

                if (i == start)
                {
                    error = $"'{text}' has an empty name at position {start}.";
                    return false;
                }

                segments.Add(text[start..i]);
            }
            else if (text[i] == '[')
            {
                var end = text.IndexOf(']', i);
                if (end < 0)
                {
                    error = $"'{text}' has an unclosed '['.";
                    return false;
                }

                var inner = text[(i + 1)..end];
                if (inner.Length >= 2 && inner[0] == '\'' && inner[^1] == '\'')
                {
                    segments.Add(inner[1..^1]);
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    segments.Add(index);
                }
                else
                {
                    error = $"'{text}' has '[{inner}]', which is neither an index nor a quoted name.";
                    return false;
                }

                i = end + 1;
            }
            else
            {
                error = $"'{text}' has an unexpected '{text[i]}' at position {i}.";
                return false;
            }
        }

        path = new JsonPath(text, [.. segments]);
        error = null;
        return true;
    }

    /// <summary>The value at the path, or false when any step is missing.</summary>
    public bool TryEvaluate(JsonElement root, out JsonElement value)
    {
        value = root;
        foreach (var segment in _segments)
        {
            switch (segment)
            {
                case string name when value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var child):
                    value = child;
                    break;
                case int index when value.ValueKind == JsonValueKind.Array && index < value.GetArrayLength():
                    value = value[index];
                    break;
                default:
                    value = default;
                    return false;
            }
        }

        return true;
    }
}
