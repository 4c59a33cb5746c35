using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IntegrationHub.Connectors;

/// <summary>A validation error: the JSON path of the field (<c>pagination.pageSize</c>, <c>narrow[0].operand</c>) and what is wrong.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Validates JSON against a connector record (configuration, credential or action input): unknown fields,
/// wrong types and missing required fields from the record's JSON Schema, then the record's data-annotation
/// rules. Every error names its field, so the API can answer with RFC 7807 field errors.
/// </summary>
public static class ConnectorConfigurationValidator
{
    /// <summary>Validates <paramref name="json"/> against <paramref name="type"/>; an empty list means valid.</summary>
    public static IReadOnlyList<FieldError> Validate(Type type, JsonElement json) => Bind(type, json, out _);

    /// <summary>Validates a configuration for <paramref name="descriptor"/>.</summary>
    public static IReadOnlyList<FieldError> ValidateConfiguration(ConnectorDescriptor descriptor, JsonElement configuration) =>
        Validate(descriptor.ConfigurationType, configuration);

    /// <summary>Validates credential values (field name to value) for <paramref name="descriptor"/>.</summary>
    public static IReadOnlyList<FieldError> ValidateCredential(ConnectorDescriptor descriptor, IReadOnlyDictionary<string, string> values) =>
        Validate(descriptor.CredentialType, JsonSerializer.SerializeToElement(values));

    /// <summary>Validates and binds; <paramref name="value"/> is set only when there are no errors.</summary>
    public static IReadOnlyList<FieldError> Bind(Type type, JsonElement json, out object? value)
    {
        value = null;
        var errors = new List<FieldError>();
        var schema = ConnectorSchemas.For(type);
        CheckStructure(schema, schema, json, "", errors);
        if (errors.Count > 0)
        {
            return errors;
        }

        try
        {
            value = json.Deserialize(type, ConnectorSchemas.Options);
        }
        catch (JsonException e)
        {
            errors.Add(new FieldError(Normalize(e.Path), FirstSentence(e.Message)));
            return errors;
        }

        if (value is null)
        {
            errors.Add(new FieldError("", "A JSON object is required."));
            return errors;
        }

        CheckAnnotations(value, "", errors);
        if (errors.Count > 0)
        {
            value = null;
        }

        return errors;
    }

    private static void CheckStructure(JsonNode root, JsonNode? schema, JsonElement json, string path, List<FieldError> errors)
    {
        if (schema is not JsonObject node)
        {
            return;
        }

        if (node["$ref"] is JsonValue reference)
        {
            CheckStructure(root, Resolve(root, reference.GetValue<string>()), json, path, errors);
            return;
        }

        var types = TypesOf(node);
        if (types.Count > 0 && !types.Any(t => Matches(t, json)))
        {
            errors.Add(new FieldError(path, json.ValueKind == JsonValueKind.Null
                ? "A value is required."
                : $"Expected {string.Join(" or ", types.Where(t => t != "null"))}, got {Describe(json.ValueKind)}."));
            return;
        }

        if (node["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, JsonSerializer.SerializeToNode(json))))
        {
            errors.Add(new FieldError(path, $"Must be one of: {string.Join(", ", allowed.Select(a => a?.ToJsonString()))}."));
            return;
        }

        if (json.ValueKind == JsonValueKind.Object && node["properties"] is JsonObject properties)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in json.EnumerateObject())
            {
                var child = Join(path, property.Name);
                seen.Add(property.Name);
                if (!properties.TryGetPropertyValue(property.Name, out var childSchema))
                {
                    errors.Add(new FieldError(child, $"Unknown field '{property.Name}'."));
                    continue;
                }

                CheckStructure(root, childSchema, property.Value, child, errors);
            }

            if (node["required"] is JsonArray required)
            {
                foreach (var name in required.Select(r => r!.GetValue<string>()).Where(n => !seen.Contains(n)))
                {
                    errors.Add(new FieldError(Join(path, name), "The field is required."));
                }
            }
        }
        else if (json.ValueKind == JsonValueKind.Array && node["items"] is JsonNode items)
        {
            var index = 0;
            foreach (var item in json.EnumerateArray())
            {
                CheckStructure(root, items, item, $"{path}[{index++}]", errors);
            }
        }
        else if (json.ValueKind == JsonValueKind.Object && node["additionalProperties"] is JsonObject values)
        {
            foreach (var property in json.EnumerateObject())
            {
                CheckStructure(root, values, property.Value, Join(path, property.Name), errors);
            }
        }
    }

    private static JsonNode? Resolve(JsonNode root, string pointer)
    {
        if (pointer == "#")
        {
            return root;
        }

        var current = root;
        foreach (var segment in pointer.TrimStart('#', '/').Split('/'))
        {
            current = current?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }

        return current;
    }

    private static List<string> TypesOf(JsonObject node) => node["type"] switch
    {
        JsonValue v => [v.GetValue<string>()],
        JsonArray a => a.Select(t => t!.GetValue<string>()).ToList(),
        _ => [],
    };

    private static bool Matches(string type, JsonElement json) => type switch
    {
        "object" => json.ValueKind == JsonValueKind.Object,
        "array" => json.ValueKind == JsonValueKind.Array,
        "string" => json.ValueKind == JsonValueKind.String,
        "boolean" => json.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => json.ValueKind == JsonValueKind.Null,
        "number" => json.ValueKind == JsonValueKind.Number,
        "integer" => json.ValueKind == JsonValueKind.Number && json.TryGetDecimal(out var d) && decimal.Truncate(d) == d,
        _ => true,
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Undefined => "nothing",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static void CheckAnnotations(object value, string path, List<FieldError> errors)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.Any() ? result.MemberNames : [""];
            foreach (var member in members)
            {
                var property = member.Length == 0 ? null : value.GetType().GetProperty(member);
                var field = property is null ? path : Join(path, JsonName(property));
                errors.Add(new FieldError(field, result.ErrorMessage ?? "Invalid value."));
            }
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !IsRecordType(property.PropertyType) && !IsRecordList(property.PropertyType))
            {
                continue;
            }

            var child = property.GetValue(value);
            var childPath = Join(path, JsonName(property));
            if (child is IEnumerable list and not string)
            {
                var index = 0;
                foreach (var item in list)
                {
                    if (item is not null)
                    {
                        CheckAnnotations(item, $"{childPath}[{index}]", errors);
                    }

                    index++;
                }
            }
            else if (child is not null)
            {
                CheckAnnotations(child, childPath, errors);
            }
        }
    }

    private static bool IsRecordType(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type) && type.Namespace?.StartsWith("IntegrationHub", StringComparison.Ordinal) == true;

    private static bool IsRecordList(Type type) =>
        type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType && type.GetGenericArguments() is [var item] && IsRecordType(item);

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? ConnectorSchemas.Options.PropertyNamingPolicy!.ConvertName(property.Name);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Normalize(string? path) => path is null or "$" ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"{(end > 0 ? message[..end] : message)}");
    }
}
