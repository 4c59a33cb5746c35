using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.RegularExpressions;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Api;

/// <summary>Declares a query-string parameter of an HTTP function for the OpenAPI document.</summary>
/// <param name="name">The parameter's name, e.g. <c>limit</c>.</param>
/// <param name="type">Its type: <see cref="string"/>, <see cref="int"/> or <see cref="bool"/>.</param>
/// <param name="description">What it does.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class QueryParameterAttribute(string name, Type type, string description) : Attribute
{
    /// <summary>The parameter's name.</summary>
    public string Name { get; } = name;

    /// <summary>Its type.</summary>
    public Type Type { get; } = type;

    /// <summary>What it does.</summary>
    public string Description { get; } = description;
}

/// <summary>Declares the paging parameters (<c>limit</c>, <c>continuationToken</c>) of a list function for the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class PagedAttribute : Attribute;

/// <summary>
/// The OpenAPI 3.1 document of the hub's HTTP functions, made from the functions themselves: each
/// <see cref="FunctionAttribute"/> method's <see cref="HttpTriggerAttribute"/> (route and methods),
/// <see cref="EndpointSummaryAttribute"/>, <see cref="TagsAttribute"/>, <see cref="ConsumesAttribute"/>
/// (request body type), <see cref="ProducesResponseTypeAttribute"/> (responses), query parameters and
/// <see cref="RequiresAttribute"/> (security). Schemas are System.Text.Json's
/// <see cref="JsonSchemaExporter"/> output with the API's own JSON options, so they describe exactly
/// what is sent; OpenAPI 3.1 takes JSON Schema 2020-12 as is (OpenAPI Specification 3.1.0, §4.8.24).
/// </summary>
/// <remarks>
/// Microsoft.AspNetCore.OpenApi describes ASP.NET Core endpoints, which Functions are not; this is the
/// small reflection step that remains. A test compares its paths and methods with <c>functions.metadata</c>.
/// </remarks>
public static partial class OpenApiDocument
{
    private static readonly Lazy<string> Document = new(() => Build(typeof(OpenApiDocument).Assembly).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The document of this assembly's functions, built once.</summary>
    public static string Json => Document.Value;

    /// <summary>Builds the document for the HTTP functions of <paramref name="assembly"/>.</summary>
    public static JsonObject Build(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var schemas = new JsonObject();
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (type, method, function, trigger) in HttpFunctions(assembly))
        {
            var path = "/" + RouteConstraint().Replace(trigger.Route ?? function.Name, "{$1}").TrimStart('/');
            var item = paths.TryGetValue(path, out var existing) ? existing : paths[path] = new JsonObject();
            foreach (var verb in trigger.Methods ?? ["get"])
            {
                item[verb.ToLowerInvariant()] = Operation(type, method, function.Name, path, schemas);
            }
        }

        var pathsNode = new JsonObject();
        foreach (var (path, item) in paths)
        {
            pathsNode[path] = item;
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "IntegrationHub API",
                ["version"] = "v1",
                ["description"] = "Connectors, integrations, credentials, flows and runs. Authenticate with 'Authorization: Bearer <API key>'.",
            },
            ["paths"] = pathsNode,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    ["apiKey"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["description"] = "A tenant API key (ihk_...) or the operator's admin key." },
                },
            },
        };
    }

    /// <summary>Every HTTP function of <paramref name="assembly"/>: its class, method, function name and trigger.</summary>
    public static IEnumerable<(Type Type, MethodInfo Method, FunctionAttribute Function, HttpTriggerAttribute Trigger)> HttpFunctions(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        foreach (var type in assembly.GetTypes().Where(t => t.IsClass).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                {
                    continue;
                }

                var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().FirstOrDefault();
                if (trigger is not null)
                {
                    yield return (type, method, function, trigger);
                }
            }
        }
    }

    private static JsonObject Operation(Type type, MethodInfo method, string name, string path, JsonObject schemas)
    {
        var operation = new JsonObject { ["operationId"] = name };
        if (method.GetCustomAttribute<EndpointSummaryAttribute>() is { } summary)
        {
            operation["summary"] = summary.Summary;
        }

        var tags = method.GetCustomAttribute<TagsAttribute>() ?? type.GetCustomAttribute<TagsAttribute>();
        if (tags is not null)
        {
            operation["tags"] = new JsonArray(tags.Tags.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
        }

        var parameters = new JsonArray();
        foreach (Match match in RouteParameter().Matches(path))
        {
            parameters.Add(new JsonObject { ["name"] = match.Groups[1].Value, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        var queries = method.GetCustomAttributes<QueryParameterAttribute>().ToList();
        if (method.GetCustomAttribute<PagedAttribute>() is not null)
        {
            queries.Add(new QueryParameterAttribute("limit", typeof(int), $"Items per page, 1 to {Paging.MaxLimit} (default {Paging.DefaultLimit})."));
            queries.Add(new QueryParameterAttribute("continuationToken", typeof(string), "The continuationToken of the previous page."));
        }

        foreach (var query in queries)
        {
            parameters.Add(new JsonObject { ["name"] = query.Name, ["in"] = "query", ["required"] = false, ["description"] = query.Description, ["schema"] = SchemaRef(query.Type, schemas) });
        }

        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }

        if (method.GetCustomAttribute<ConsumesAttribute>() is { } consumes && ((Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata)consumes).RequestType is { } requestType)
        {
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = SchemaRef(requestType, schemas) } },
            };
        }

        var responses = new JsonObject();
        foreach (var produces in method.GetCustomAttributes<ProducesResponseTypeAttribute>().OrderBy(p => p.StatusCode))
        {
            var response = new JsonObject { ["description"] = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(produces.StatusCode) };
            if (produces.Type is { } bodyType && bodyType != typeof(void))
            {
                var declared = new Microsoft.AspNetCore.Mvc.Formatters.MediaTypeCollection();
                ((Microsoft.AspNetCore.Mvc.ApiExplorer.IApiResponseMetadataProvider)produces).SetContentTypes(declared);
                var contentType = declared.FirstOrDefault()
                    ?? (typeof(ProblemDetails).IsAssignableFrom(bodyType) ? "application/problem+json" : "application/json");
                response["content"] = new JsonObject { [contentType] = new JsonObject { ["schema"] = SchemaRef(bodyType, schemas) } };
            }

            responses[produces.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)] = response;
        }

        operation["responses"] = responses;
        var access = method.GetCustomAttribute<RequiresAttribute>()?.Access ?? type.GetCustomAttribute<RequiresAttribute>()?.Access;
        operation["security"] = access == Access.Anonymous ? new JsonArray() : new JsonArray(new JsonObject { ["apiKey"] = new JsonArray() });
        return operation;
    }

    private static JsonNode SchemaRef(Type type, JsonObject schemas)
    {
        if (type == typeof(string) || type == typeof(int) || type == typeof(bool))
        {
            return JsonSchemaExporter.GetJsonSchemaAsNode(ApiJson.Options, type);
        }

        var name = SchemaName(type);
        if (!schemas.ContainsKey(name))
        {
            schemas[name] = null; // reserve, in case of recursion
            var schema = JsonSchemaExporter.GetJsonSchemaAsNode(ApiJson.Options, type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
            OptionalWhereDefaulted(schema);
            schemas[name] = schema;
        }

        return new JsonObject { ["$ref"] = $"#/components/schemas/{name}" };
    }

    // The exporter lists a record's optional constructor parameters (those with a default, e.g. `string? Name = null`)
    // under "required" beside their "default"; a client may leave them out, so they are not required.
    private static void OptionalWhereDefaulted(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject schema:
                if (schema["properties"] is JsonObject properties && schema["required"] is JsonArray required)
                {
                    foreach (var item in required.ToList())
                    {
                        if (item?.GetValue<string>() is { } property && properties[property] is JsonObject { } propertySchema && propertySchema.ContainsKey("default"))
                        {
                            required.Remove(item);
                        }
                    }
                }

                foreach (var (_, child) in schema.ToList())
                {
                    OptionalWhereDefaulted(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    OptionalWhereDefaulted(child);
                }

                break;
        }
    }

    private static string SchemaName(Type type) =>
        type.IsGenericType
            ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "Of" + string.Concat(type.GetGenericArguments().Select(SchemaName))
            : type.Name;

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)\??\}")]
    private static partial Regex RouteParameter();

    // {id:regex(...)} or {id:int} → {id}: OpenAPI paths name parameters without constraints.
    [GeneratedRegex(@"\{\*?([A-Za-z0-9_]+)(?::[^{}]*(?:\{[^{}]*\}[^{}]*)*)?\}")]
    private static partial Regex RouteConstraint();
}
