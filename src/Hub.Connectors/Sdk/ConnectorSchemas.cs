using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace IntegrationHub.Connectors;

/// <summary>Marks a credential field whose value is a secret: the schema says <c>writeOnly</c>, so no UI ever reads it back.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

/// <summary>
/// The JSON contract of connector records: one set of serializer options for binding, schema generation
/// and validation, so the schema the catalog shows is exactly what binding accepts.
/// </summary>
public static class ConnectorSchemas
{
    private static readonly ConcurrentDictionary<Type, JsonNode> Cache = new();

    /// <summary>
    /// camelCase names, unknown members refused, nullability and required members enforced, numbers never
    /// read from strings, enums as camelCase strings.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>The JSON Schema of <paramref name="type"/>, with descriptions, defaults and data-annotation rules.</summary>
    public static JsonNode For(Type type) => Cache.GetOrAdd(type, Generate).DeepClone();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            NumberHandling = JsonNumberHandling.Strict,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly();
        return options;
    }

    private static JsonNode Generate(Type type)
    {
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = Annotate,
        };
        var schema = Options.GetJsonSchemaAsNode(type, exporter);
        if (schema is JsonObject root)
        {
            root.Insert(0, "$schema", "https://json-schema.org/draft/2020-12/schema");
            if (type.GetCustomAttribute<DescriptionAttribute>() is { } description)
            {
                root["description"] = description.Description;
            }
        }

        return schema;
    }

    private static JsonNode Annotate(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (context.PropertyInfo?.AttributeProvider is not MemberInfo member || schema is not JsonObject node)
        {
            return schema;
        }

        foreach (var attribute in member.GetCustomAttributes(inherit: true))
        {
            switch (attribute)
            {
                case DescriptionAttribute d:
                    node["description"] = d.Description;
                    break;
                case DefaultValueAttribute { Value: { } value }:
                    node["default"] = JsonSerializer.SerializeToNode(value, value.GetType(), Options);
                    break;
                case RangeAttribute r:
                    node["minimum"] = JsonValue.Create(Convert.ToDouble(r.Minimum, System.Globalization.CultureInfo.InvariantCulture));
                    node["maximum"] = JsonValue.Create(Convert.ToDouble(r.Maximum, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case StringLengthAttribute s:
                    node["maxLength"] = s.MaximumLength;
                    if (s.MinimumLength > 0)
                    {
                        node["minLength"] = s.MinimumLength;
                    }

                    break;
                case MinLengthAttribute m:
                    node[IsArray(node) ? "minItems" : "minLength"] = m.Length;
                    break;
                case MaxLengthAttribute m:
                    node[IsArray(node) ? "maxItems" : "maxLength"] = m.Length;
                    break;
                case UrlAttribute:
                    node["format"] = "uri";
                    break;
                case EmailAddressAttribute:
                    node["format"] = "email";
                    break;
                case RegularExpressionAttribute r:
                    node["pattern"] = r.Pattern;
                    break;
                case SecretAttribute:
                    node["writeOnly"] = true;
                    break;
            }
        }

        return node;
    }

    private static bool IsArray(JsonObject node) => node["type"] switch
    {
        JsonValue v => v.GetValue<string>() == "array",
        JsonArray a => a.Any(t => t?.GetValue<string>() == "array"),
        _ => false,
    };
}
