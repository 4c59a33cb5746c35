using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Functions.Api;

/// <summary>
/// How the API reads and writes JSON: web defaults (camelCase), enums as snake_case strings, nulls
/// omitted, and unknown fields in a request refused rather than silently ignored, so a typo in a
/// field name is an error the caller sees.
/// </summary>
public static class ApiJson
{
    /// <summary>The API's options, configured once; shared by request reading and (through <c>ConfigureHttpJsonOptions</c>) response writing.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Applies the API's settings to <paramref name="options"/>.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }
}

/// <summary>A page of results and the token for the next one (absent on the last page).</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, string? ContinuationToken);
