using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Api;

/// <summary>
/// A request body bound by the hub rather than by the framework, so every way a body can be wrong —
/// not JSON, a wrong type, a missing or unknown field, a failed rule, too large — becomes a problem
/// response that says which field and why. Endpoints take a <c>JsonBody&lt;T&gt;</c> and return
/// <see cref="Problem"/> when it is set; a <c>JsonBody&lt;T&gt;?</c> parameter is an optional body (null when none is sent).
/// </summary>
public sealed class JsonBody<T>
    where T : class
{
    private JsonBody(T? value, IResult? problem)
    {
        Value = value;
        Problem = problem;
    }

    /// <summary>The body, when it is valid.</summary>
    public T? Value { get; }

    /// <summary>The problem response, when it is not.</summary>
    public IResult? Problem { get; }

    /// <summary>Minimal APIs' custom binding hook.</summary>
#pragma warning disable CA1000 // BindAsync must be a static member of the bound type.
    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var request = context.Request;

        // An optional body (a nullable JsonBody<T>? parameter) may be left out altogether.
        if (!HasBody(request) && parameter is not null && new NullabilityInfoContext().Create(parameter).WriteState == NullabilityState.Nullable)
        {
            return null;
        }

        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.", "Send Content-Type: application/json."));
        }

        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, context.RequestAborted);
        }
        catch (JsonException e)
        {
            return Fail(ApiProblems.Validation(FieldOf(e.Path), Describe(e)));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Fail(ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "The body is too large.", e.Message));
        }

        if (value is null)
        {
            return Fail(ApiProblems.Validation("$", "A JSON object is required."));
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
        {
            var errors = results
                .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : ["$"]).Select(m => (Field: JsonNamingPolicy.CamelCase.ConvertName(m), r.ErrorMessage)))
                .GroupBy(e => e.Field)
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage ?? "is invalid").ToArray());
            return Fail(ApiProblems.Validation(errors));
        }

        return new JsonBody<T>(value, null);
    }
#pragma warning restore CA1000

    private static bool HasBody(HttpRequest request) => request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static JsonBody<T> Fail(IResult problem) => new(null, problem);

    private static string FieldOf(string? path) => string.IsNullOrEmpty(path) ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    // System.Text.Json's messages name the .NET type; keep what a caller can act on.
    private static string Describe(JsonException e)
    {
        var message = e.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return "is not a known field.";
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var start = message.IndexOf("including: ", StringComparison.Ordinal);
            return start < 0 ? "required fields are missing." : "required field(s) missing: " + message[(start + 11)..].TrimEnd('.');
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return "has the wrong type.";
        }

        if (message.Contains("null", StringComparison.OrdinalIgnoreCase) && message.Contains("non-nullable", StringComparison.OrdinalIgnoreCase))
        {
            return "must not be null.";
        }

        return "is not valid JSON here: " + (message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0]);
    }
}
