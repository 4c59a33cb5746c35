
namespace IntegrationHub.Functions.Api;

/// <summary>RFC 7807 problem responses: the one shape every API error takes.</summary>
public static class ApiProblems
{
    /// <summary>A problem with a status, a title and an optional detail.</summary>
    public static IResult Problem(int status, string title, string? detail = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>400 with one field error.</summary>
    public static IResult Validation(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>400 with field errors: <c>errors</c> maps each field's JSON path to its messages.</summary>
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is invalid.", detail: string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

    /// <summary>404 for something the caller cannot see, whether it does not exist or belongs to another tenant.</summary>
    public static IResult NotFound(string what, string id) => Problem(StatusCodes.Status404NotFound, $"{what} '{id}' was not found.");
}
