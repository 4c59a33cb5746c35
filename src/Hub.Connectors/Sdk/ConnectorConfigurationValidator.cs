using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Json.Pointer;
using Json.Schema;

namespace IntegrationHub.Connectors;

/// <summary>A validation error: the JSON path of the field (<c>pagination.pageSize</c>, <c>narrow[0].operand</c>) and what is wrong.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Validates JSON against a connector record (configuration, credential or action input) in two stages:
/// first JsonSchema.Net evaluates it against the record's JSON Schema 2020-12 — the very schema
/// <see cref="ConnectorSchemas.For"/> generates and the catalog shows (types, <c>required</c>, unknown fields
/// through <c>additionalProperties: false</c>, <c>enum</c>, <c>minimum</c>/<c>maximum</c>, lengths, <c>pattern</c>,
/// <c>format</c>); only a document that passes is bound and then checked against the record's data annotations
/// for what a schema cannot say (for example <c>[Url]</c>'s http/https/ftp only, <c>[Required]</c>'s non-empty).
/// </summary>
/// <remarks>
/// Every error names its field by JSON path (<c>pagination.pageSize</c>, <c>narrow[0].operand</c>; the root is
/// <c>""</c>) so the API can answer with RFC 7807 field errors under a prefix (<c>configuration.owner</c>).
/// Messages: <c>The field is required.</c>, <c>Unknown field 'x'.</c>, <c>Expected string, got number.</c>,
/// <c>A value is required.</c> (null where none is allowed), <c>Must be one of: ...</c>; other keywords carry
/// JsonSchema.Net's message (<c>0 should be at least 1.</c>).
/// </remarks>
public static class ConnectorConfigurationValidator
{
    private static readonly BuildOptions BuildOptions = new();

    private static readonly EvaluationOptions EvaluationOptions = new()
    {
        OutputFormat = OutputFormat.List,
        RequireFormatValidation = true,
    };

    private static readonly ConcurrentDictionary<Type, (JsonSchema Schema, JsonElement Document)> Schemas = new();

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
        if (json.ValueKind == JsonValueKind.Undefined)
        {
            errors.Add(new FieldError("", "A JSON object is required."));
            return errors;
        }

        CheckSchema(type, json, errors);
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

    /// <summary>
    /// JSON Schema 2020-12 validation by JsonSchema.Net of <paramref name="json"/> against the schema the catalog
    /// shows for <paramref name="type"/>; each failure becomes a field error named by its JSON path.
    /// </summary>
    private static void CheckSchema(Type type, JsonElement json, List<FieldError> errors)
    {
        var (schema, document) = Schemas.GetOrAdd(type, Build);
        var results = schema.Evaluate(json, EvaluationOptions);
        if (results.IsValid)
        {
            return;
        }

        foreach (var result in (IEnumerable<EvaluationResults>?)results.Details ?? [results])
        {
            if (result.Errors is not { Count: > 0 } failures)
            {
                continue;
            }

            var instance = result.InstanceLocation.Evaluate(json) ?? default;
            var path = FieldPath(result.InstanceLocation, json);

            // JsonSchema.Net 8.0.5 reports odd schema locations below "items"; the subschema is found by
            // following the instance's own path through the document instead.
            var node = SchemaFor(document, json, result.InstanceLocation, result.InstanceLocation.SegmentCount);
            foreach (var (keyword, message) in failures)
            {
                switch (keyword)
                {
                    case "" when IsUnknownProperty(document, json, result.InstanceLocation) is { } name:
                        errors.Add(new FieldError(path, $"Unknown field '{name}'."));
                        break;
                    case "required":
                        var present = instance.ValueKind == JsonValueKind.Object ? instance.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal) : [];
                        foreach (var name in Strings(node, "required").Where(n => !present.Contains(n)))
                        {
                            errors.Add(new FieldError(Join(path, name), "The field is required."));
                        }

                        break;
                    case "type":
                        errors.Add(new FieldError(path, instance.ValueKind == JsonValueKind.Null
                            ? "A value is required."
                            : $"Expected {string.Join(" or ", Strings(node, "type").Where(t => t != "null"))}, got {Describe(instance.ValueKind)}."));
                        break;
                    case "enum" when node?.TryGetProperty("enum", out var allowed) == true:
                        errors.Add(new FieldError(path, $"Must be one of: {string.Join(", ", allowed.EnumerateArray().Select(a => a.GetRawText()))}."));
                        break;
                    default:
                        errors.Add(new FieldError(path, message.EndsWith('.') ? message : message + "."));
                        break;
                }
            }
        }
    }

    private static (JsonSchema Schema, JsonElement Document) Build(Type type)
    {
        var document = JsonSerializer.SerializeToElement(ConnectorSchemas.For(type));
        return (JsonSchema.Build(document, BuildOptions), document);
    }

    /// <summary>
    /// The subschema that applies at the first <paramref name="depth"/> segments of <paramref name="pointer"/>:
    /// <c>properties</c> (else <c>additionalProperties</c>) for an object member, <c>items</c> for an array item, local
    /// <c>$ref</c>s followed. Null where the schema says nothing.
    /// </summary>
    private static JsonElement? SchemaFor(JsonElement document, JsonElement json, JsonPointer pointer, int depth)
    {
        JsonElement? schema = Dereference(document, document);
        var current = json;
        for (var i = 0; i < depth && schema is { ValueKind: JsonValueKind.Object } node; i++)
        {
            var segment = pointer[i].ToString();
            if (current.ValueKind == JsonValueKind.Array)
            {
                schema = node.TryGetProperty("items", out var items) ? items : null;
                current = int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength() ? current[index] : default;
            }
            else
            {
                schema = node.TryGetProperty("properties", out var properties) && properties.TryGetProperty(segment, out var property) ? property
                    : node.TryGetProperty("additionalProperties", out var others) ? others
                    : null;
                current = current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child) ? child : default;
            }

            schema = schema is { } s ? Dereference(document, s) : null;
        }

        return schema;
    }

    private static JsonElement? Dereference(JsonElement document, JsonElement schema)
    {
        for (var hops = 0; hops < 32 && schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference); hops++)
        {
            var target = reference.GetString() ?? "";
            if (!target.StartsWith('#') || !JsonPointer.TryParse(Uri.UnescapeDataString(target[1..]), out var pointer) || pointer.Evaluate(document) is not { } resolved)
            {
                return null;
            }

            schema = resolved;
        }

        return schema;
    }

    /// <summary>The member name when <paramref name="pointer"/> is an object member its schema's <c>properties</c> do not name.</summary>
    private static string? IsUnknownProperty(JsonElement document, JsonElement json, JsonPointer pointer)
    {
        if (pointer.SegmentCount == 0 || pointer.GetParent(1)?.Evaluate(json) is not { ValueKind: JsonValueKind.Object })
        {
            return null;
        }

        var name = pointer[pointer.SegmentCount - 1].ToString();
        var parent = SchemaFor(document, json, pointer, pointer.SegmentCount - 1);
        return parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("properties", out var properties) && properties.TryGetProperty(name, out _) ? null : name;
    }

    private static IEnumerable<string> Strings(JsonElement? node, string keyword) =>
        node is { ValueKind: JsonValueKind.Object } n && n.TryGetProperty(keyword, out var value)
            ? value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString() ?? "") : [value.GetString() ?? ""]
            : [];

    /// <summary>A JSON Pointer into the instance as the hub names fields: <c>/narrow/0/operand</c> is <c>narrow[0].operand</c>.</summary>
    private static string FieldPath(JsonPointer pointer, JsonElement json)
    {
        var path = "";
        var current = json;
        for (var i = 0; i < pointer.SegmentCount; i++)
        {
            var segment = pointer[i].ToString();
            if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                path = $"{path}[{index}]";
                current = index < current.GetArrayLength() ? current[index] : default;
            }
            else
            {
                path = Join(path, segment);
                current = current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child) ? child : default;
            }
        }

        return path;
    }

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
