using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IntegrationHub.Core.Transforms;

/// <summary>
/// A declarative mapping from a connector record to an event payload, validated when a flow is saved.
/// </summary>
/// <remarks>
/// <para>The mapping is a JSON object whose keys are the output fields. Each value is one of:</para>
/// <list type="bullet">
/// <item><c>"$.path"</c> — select (and so rename) a value from the record (<see cref="JsonPath"/>, RFC 9535 singular queries);</item>
/// <item><c>{ "path": "$.path", "default": value }</c> — select, with a value for when it is missing or null;</item>
/// <item><c>{ "const": value }</c> — a constant (null included);</item>
/// <item><c>{ "template": "#{{$.number}}: {{$.title}}", "default": "text" }</c> — text with selected values put in;</item>
/// <item>any other object — a nested mapping, producing a nested object.</item>
/// </list>
/// <para><b>Null and missing.</b> A path that selects nothing (no such member or element) is <i>missing</i>;
/// a member whose value is JSON <c>null</c> is <i>present</i> and null. A missing value leaves its output
/// field out; a present null is kept as <c>null</c>. A <c>default</c> applies when the value is missing
/// <i>or</i> null (so <c>{"id":"1","x":null}</c> with <c>{"a":"$.x","b":{"path":"$.x","default":"D"}}</c>
/// gives <c>{"a":null,"b":"D"}</c>). Templates follow the same rule per placeholder: a placeholder whose
/// value is missing or null is replaced by the template's <c>default</c> (empty text when it has none), never
/// by the word <c>null</c>; strings are put in as their text, other values as their JSON.</para>
/// <para><b>Limits</b> (checked on save, each a field error): nested mappings at most <see cref="MaxDepth"/>
/// levels deep, at most <see cref="MaxRules"/> output fields in all, the mapping's JSON at most
/// <see cref="MaxJsonLength"/> characters, paths as <see cref="JsonPath"/> allows.</para>
/// <para>A mapping is compiled once; applying it to a record never re-parses paths.</para>
/// </remarks>
public sealed partial class RecordMapping
{
    private readonly IReadOnlyList<(string Field, Rule Rule)> _rules;

    /// <summary>How deep mappings may nest (the top-level mapping is level 1).</summary>
    public const int MaxDepth = 16;

    /// <summary>The most output fields a mapping may define, nested ones included.</summary>
    public const int MaxRules = 1000;

    /// <summary>The longest mapping, in characters of its JSON.</summary>
    public const int MaxJsonLength = 65_536;

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

        var raw = mapping.GetRawText();
        if (raw.Length > MaxJsonLength)
        {
            errors[at] = [$"is {raw.Length} characters of JSON; a mapping may have at most {MaxJsonLength}."];
            return false;
        }

        var count = 0;
        var rules = CompileObject(mapping, at, errors, 1, ref count);
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
            if (rule.Evaluate(record, out var value))
            {
                result[field] = value;
            }
        }

        return result;
    }

    private static List<(string, Rule)> CompileObject(JsonElement mapping, string at, Dictionary<string, string[]> errors, int depth, ref int count)
    {
        var rules = new List<(string, Rule)>();
        if (depth > MaxDepth)
        {
            errors[at] = [$"nests mappings deeper than {MaxDepth} levels."];
            return rules;
        }

        foreach (var property in mapping.EnumerateObject())
        {
            var where = $"{at}.{property.Name}";
            if (++count > MaxRules)
            {
                errors[where] = [$"is one output field too many: a mapping may define at most {MaxRules}."];
                return rules;
            }

            if (CompileRule(property.Value, where, errors, depth, ref count) is { } rule)
            {
                rules.Add((property.Name, rule));
            }
        }

        return rules;
    }

    private static Rule? CompileRule(JsonElement value, string where, Dictionary<string, string[]> errors, int depth, ref int count)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return Path(value.GetString()!, default, where, errors);
            case JsonValueKind.Object when value.TryGetProperty("const", out var constant):
                return new ConstRule(JsonNode.Parse(constant.GetRawText()));
            case JsonValueKind.Object when value.TryGetProperty("path", out var path):
                if (path.ValueKind != JsonValueKind.String)
                {
                    errors[where + ".path"] = ["must be a string path such as '$.title'."];
                    return null;
                }

                return Path(path.GetString()!, Fallback.Of(value), where, errors);
            case JsonValueKind.Object when value.TryGetProperty("template", out var template):
                return Template(template, Fallback.Of(value), where, errors);
            case JsonValueKind.Object:
                return new NestedRule(CompileObject(value, where, errors, depth + 1, ref count));
            default:
                errors[where] = ["must be a path string, {\"const\": ...}, {\"path\": ...}, {\"template\": ...} or a nested mapping."];
                return null;
        }
    }

    private static PathRule? Path(string text, Fallback fallback, string where, Dictionary<string, string[]> errors)
    {
        if (!JsonPath.TryParse(text, out var path, out var error))
        {
            errors[where] = [error!];
            return null;
        }

        return new PathRule(path!, fallback);
    }

    private static TemplateRule? Template(JsonElement template, Fallback fallback, string where, Dictionary<string, string[]> errors)
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

        if (fallback.Defined && fallback.Value is not JsonValue)
        {
            errors[where + ".default"] = ["must be a string, number or boolean: it is put into the template's text."];
            return null;
        }

        return new TemplateRule(parts, fallback);
    }

    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    // A default, when the rule has one ("default": null is a default too).
    private readonly record struct Fallback(bool Defined, JsonNode? Value)
    {
        public static Fallback Of(JsonElement rule) =>
            rule.TryGetProperty("default", out var value) ? new Fallback(true, JsonNode.Parse(value.GetRawText())) : default;
    }

    private abstract class Rule
    {
        /// <summary>False when the output field is missing (left out); true with the value (null for JSON null) otherwise.</summary>
        public abstract bool Evaluate(JsonElement record, out JsonNode? value);
    }

    private sealed class PathRule(JsonPath path, Fallback fallback) : Rule
    {
        public override bool Evaluate(JsonElement record, out JsonNode? value)
        {
            var found = path.TryEvaluate(record, out var selected);
            if (found && selected.ValueKind != JsonValueKind.Null)
            {
                value = JsonSerializer.SerializeToNode(selected);
                return true;
            }

            if (fallback.Defined)
            {
                value = fallback.Value?.DeepClone();
                return true;
            }

            value = null;
            return found; // a present null is kept; a missing value is left out
        }
    }

    private sealed class ConstRule(JsonNode? constant) : Rule
    {
        public override bool Evaluate(JsonElement record, out JsonNode? value)
        {
            value = constant?.DeepClone();
            return true;
        }
    }

    private sealed class NestedRule(IReadOnlyList<(string Field, Rule Rule)> rules) : Rule
    {
        public override bool Evaluate(JsonElement record, out JsonNode? value)
        {
            value = Build(rules, record);
            return true;
        }
    }

    private sealed class TemplateRule(IReadOnlyList<object> parts, Fallback fallback) : Rule
    {
        private readonly string _fallbackText = fallback.Value is JsonValue v
            ? v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()
            : string.Empty;

        public override bool Evaluate(JsonElement record, out JsonNode? value)
        {
            var text = new StringBuilder();
            foreach (var part in parts)
            {
                if (part is string literal)
                {
                    text.Append(literal);
                }
                else if (((JsonPath)part).TryEvaluate(record, out var selected) && selected.ValueKind != JsonValueKind.Null)
                {
                    text.Append(selected.ValueKind == JsonValueKind.String ? selected.GetString() : selected.GetRawText());
                }
                else
                {
                    text.Append(_fallbackText);
                }
            }

            value = JsonValue.Create(text.ToString());
            return true;
        }
    }
}
