using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IntegrationHub.Core.Transforms;

/// <summary>
/// A declarative mapping from a connector record to an event payload, validated when a flow is saved.
/// </summary>
/// <remarks>
/// The mapping is a JSON object whose keys are the output fields. Each value is one of:
/// <list type="bullet">
/// <item><c>"$.path"</c> — select (and so rename) a value from the record; missing values are left out;</item>
/// <item><c>{ "path": "$.path", "default": value }</c> — select, with a value for when it is missing;</item>
/// <item><c>{ "const": value }</c> — a constant;</item>
/// <item><c>{ "template": "#{{$.number}}: {{$.title}}" }</c> — text with selected values put in;</item>
/// <item>any other object — a nested mapping, producing a nested object.</item>
/// </list>
/// A mapping is compiled once; applying it to a record never re-parses paths.
/// </remarks>
public sealed partial class RecordMapping
{
    private readonly IReadOnlyList<(string Field, Rule Rule)> _rules;

    private RecordMapping(IReadOnlyList<(string Field, Rule Rule)> rules) => _rules = rules;

    /// <summary>Compiles a mapping; <paramref name="errors"/> maps each bad field's path (e.g. <c>mapping.author.name</c>) to what is wrong.</summary>
    public static bool TryCompile(JsonElement mapping, string at, out RecordMapping? compiled, out Dictionary<string, string[]> errors)
    {
        errors = [];
        compiled = null;
        if (mapping.ValueKind != JsonValueKind.Object)
        {
            errors[at] = ["must be an object mapping output fields to paths, constants, templates or nested mappings."];
            return false;
        }

        var rules = CompileObject(mapping, at, errors);
        if (errors.Count > 0)
        {
            return false;
        }

        compiled = new RecordMapping(rules);
        return true;
    }

    /// <summary>Applies the mapping to a record.</summary>
    public JsonObject Apply(JsonElement record) => Build(_rules, record);

    private static JsonObject Build(IReadOnlyList<(string Field, Rule Rule)> rules, JsonElement record)
    {
        var result = new JsonObject();
        foreach (var (field, rule) in rules)
        {
            if (rule.Evaluate(record) is { } value)
            {
                result[field] = value;
            }
        }

        return result;
    }

    private static List<(string, Rule)> CompileObject(JsonElement mapping, string at, Dictionary<string, string[]> errors)
    {
        var rules = new List<(string, Rule)>();
        foreach (var property in mapping.EnumerateObject())
        {
            var where = $"{at}.{property.Name}";
            if (CompileRule(property.Value, where, errors) is { } rule)
            {
                rules.Add((property.Name, rule));
            }
        }

        return rules;
    }

    private static Rule? CompileRule(JsonElement value, string where, Dictionary<string, string[]> errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return Path(value.GetString()!, null, where, errors);
            case JsonValueKind.Object when value.TryGetProperty("const", out var constant):
                return new ConstRule(JsonNode.Parse(constant.GetRawText()));
            case JsonValueKind.Object when value.TryGetProperty("path", out var path):
                if (path.ValueKind != JsonValueKind.String)
                {
                    errors[where + ".path"] = ["must be a string path such as '$.title'."];
                    return null;
                }

                return Path(path.GetString()!, value.TryGetProperty("default", out var fallback) ? JsonNode.Parse(fallback.GetRawText()) : null, where, errors);
            case JsonValueKind.Object when value.TryGetProperty("template", out var template):
                return Template(template, where, errors);
            case JsonValueKind.Object:
                return new NestedRule(CompileObject(value, where, errors));
            default:
                errors[where] = ["must be a path string, {\"const\": ...}, {\"path\": ...}, {\"template\": ...} or a nested mapping."];
                return null;
        }
    }

    private static PathRule? Path(string text, JsonNode? fallback, string where, Dictionary<string, string[]> errors)
    {
        if (!JsonPath.TryParse(text, out var path, out var error))
        {
            errors[where] = [error!];
            return null;
        }

        return new PathRule(path!, fallback);
    }

    private static TemplateRule? Template(JsonElement template, string where, Dictionary<string, string[]> errors)
    {
        if (template.ValueKind != JsonValueKind.String)
        {
            errors[where + ".template"] = ["must be a string."];
            return null;
        }

        var text = template.GetString()!;
        var parts = new List<object>();
        var last = 0;
        foreach (Match match in Placeholder().Matches(text))
        {
            parts.Add(text[last..match.Index]);
            if (!JsonPath.TryParse(match.Groups[1].Value.Trim(), out var path, out var error))
            {
                errors[where + ".template"] = [error!];
                return null;
            }

            parts.Add(path!);
            last = match.Index + match.Length;
        }

        parts.Add(text[last..]);
        if (text.Contains("{{", StringComparison.Ordinal) && parts.Count == 1)
        {
            errors[where + ".template"] = ["has '{{' without a matching '}}'."];
            return null;
        }

        return new TemplateRule(parts);
    }

    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    private abstract class Rule
    {
        public abstract JsonNode? Evaluate(JsonElement record);
    }

    private sealed class PathRule(JsonPath path, JsonNode? fallback) : Rule
    {
        public override JsonNode? Evaluate(JsonElement record) =>
            path.TryEvaluate(record, out var value) && value.ValueKind != JsonValueKind.Undefined
                ? JsonSerializer.SerializeToNode(value)
                : fallback?.DeepClone();
    }

    private sealed class ConstRule(JsonNode? value) : Rule
    {
        public override JsonNode? Evaluate(JsonElement record) => value?.DeepClone();
    }

    private sealed class NestedRule(IReadOnlyList<(string Field, Rule Rule)> rules) : Rule
    {
        public override JsonNode? Evaluate(JsonElement record) => Build(rules, record);
    }

    private sealed class TemplateRule(IReadOnlyList<object> parts) : Rule
    {
        public override JsonNode? Evaluate(JsonElement record)
        {
            var text = new StringBuilder();
            foreach (var part in parts)
            {
                if (part is string literal)
                {
                    text.Append(literal);
                }
                else if (((JsonPath)part).TryEvaluate(record, out var value))
                {
                    text.Append(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
                }
            }

            return JsonValue.Create(text.ToString());
        }
    }
}
