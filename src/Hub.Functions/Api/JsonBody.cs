using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace IntegrationHub.Functions.Api;

/// <summary>
/// A request body bound by the hub rather than by the framework, so every way a body can be wrong —
/// not JSON, a wrong type, a missing or unknown field, a failed rule, too large — becomes a problem
/// response that says which field and why. Functions read it with <see cref="ReadAsync"/> and return
/// <see cref="Problem"/> when it is set.
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

    /// <summary>
    /// Reads the body of <paramref name="request"/> as <typeparamref name="T"/> with the API's JSON rules
    /// (<see cref="ApiJson"/>) and its data annotations. With <paramref name="optional"/>, a request without
    /// a body gives null.
    /// </summary>
#pragma warning disable CA1000 // A factory on the generic type reads best at the call site: JsonBody<T>.ReadAsync(request).
    public static async Task<JsonBody<T>?> ReadAsync(HttpRequest request, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (optional && !HasBody(request))
        {
            return null;
        }

        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.", "Send Content-Type: application/json."));
        }

        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync<T>(request.Body, ApiJson.Options, request.HttpContext.RequestAborted);
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

    /// <summary>Reads a body that must be there.</summary>
    public static async Task<JsonBody<T>> ReadRequiredAsync(HttpRequest request) => (await ReadAsync(request))!;
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
