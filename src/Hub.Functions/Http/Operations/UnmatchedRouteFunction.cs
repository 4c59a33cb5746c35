using IntegrationHub.Functions.Api;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace IntegrationHub.Functions.Http.Operations;

/// <summary>
/// Answers API requests no other function takes with a problem instead of the host's empty 404: 405 with
/// <c>Allow</c> when the path is an API route that takes other methods (RFC 9110 §15.5.6), else 404. Only an
/// authenticated caller learns which: a stranger gets 401, so routes are not revealed.
/// </summary>
/// <remarks>
/// The Functions host tries function routes in the order of the functions' names (ordinal, ignoring case) and
/// takes the first match, so this catch-all's name sorts after every other function's (<see cref="Name"/>);
/// a test checks that it stays last.
/// </remarks>
public sealed class UnmatchedRouteFunction
{
    /// <summary>The function's name: sorts after every other function, so every real route is tried first.</summary>
    public const string Name = "ZzUnmatchedApiRoute";

    private static readonly Lazy<IReadOnlyList<(TemplateMatcher Matcher, string[] Methods)>> Routes = new(() =>
        OpenApiDocument.HttpFunctions(typeof(UnmatchedRouteFunction).Assembly)
            .Where(f => f.Function.Name != Name && f.Trigger.Route is not null && f.Trigger.Route.StartsWith("api/", StringComparison.Ordinal))
            .Select(f => (new TemplateMatcher(TemplateParser.Parse(f.Trigger.Route!), new RouteValueDictionary()), (f.Trigger.Methods ?? ["get"]).Select(m => m.ToUpperInvariant()).ToArray()))
            .ToList());

    /// <summary>404 or 405 problem for <c>/api/{*rest}</c> that no function serves.</summary>
    [Function(Name)]
    public static IResult Answer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", Route = "api/{*rest}")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Path.Value ?? "/";
        var allowed = Routes.Value
            .Where(r => r.Matcher.TryMatch(path, new RouteValueDictionary()))
            .SelectMany(r => r.Methods)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (allowed.Count == 0)
        {
            return ApiProblems.Problem(StatusCodes.Status404NotFound, "There is no such API route.", "See /api/openapi.json for the routes of this API.");
        }

        request.HttpContext.Response.Headers[HeaderNames.Allow] = string.Join(", ", allowed);
        return ApiProblems.Problem(StatusCodes.Status405MethodNotAllowed, $"{request.Method} is not a method of this route.", $"It takes: {string.Join(", ", allowed)}.");
    }
}
