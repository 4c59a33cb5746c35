using IntegrationHub.Functions.Hosting.CustomHandler;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace IntegrationHub.Functions.Tests.Hosting;

/// <summary>
/// Matches function.json routes against the handler's endpoints the way the Functions host routes:
/// ASP.NET route templates below the <c>api</c> prefix, the most specific template winning.
/// </summary>
internal static class FunctionRoutes
{
    public const string RoutePrefix = "api";

    public sealed record ApiEndpoint(string Pattern, IReadOnlyList<string> Methods, RouteTemplate Template);

    public static IReadOnlyList<ApiEndpoint> ApiEndpoints(IServiceProvider services) => services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetMetadata<ITagsMetadata>()?.Tags.Contains(TimerFunctionEndpoints.InvocationTag) != true)
        .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>() is not null)
        .Select(e => new ApiEndpoint(
            e.RoutePattern.RawText ?? string.Empty,
            e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => m.ToUpperInvariant()).ToList(),
            new RouteTemplate(e.RoutePattern)))
        .ToList();

    public static IReadOnlyList<string> InvocationEndpoints(IServiceProvider services) => services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetMetadata<ITagsMetadata>()?.Tags.Contains(TimerFunctionEndpoints.InvocationTag) == true)
        .Select(e => e.RoutePattern.RawText!.TrimStart('/'))
        .ToList();

    /// <summary>The full template of an HTTP function: <c>api/{route}</c>.</summary>
    public static RouteTemplate TemplateOf(FunctionDefinition function) => TemplateParser.Parse($"{RoutePrefix}/{function.Trigger.Route}");

    public static IReadOnlyList<string> MethodsOf(FunctionDefinition function) =>
        (function.Trigger.Methods ?? ["get", "post", "put", "delete", "patch", "head", "options"]).Select(m => m.ToUpperInvariant()).ToList();

    /// <summary>Concrete paths a template accepts: parameters filled with sample values, optional ones present and absent.</summary>
    public static IEnumerable<string> SamplePaths(RouteTemplate template)
    {
        var paths = new List<List<string>> { new() };
        foreach (var segment in template.Segments)
        {
            var optional = segment.Parts.Count == 1 && segment.Parts[0] is { IsParameter: true } p && (p.IsOptional || p.IsCatchAll);
            var text = string.Concat(segment.Parts.Select(part => part.IsLiteral ? part.Text : part.IsCatchAll ? "sample/rest" : "sample-" + part.Name)).Trim('/');
            var next = new List<List<string>>();
            foreach (var path in paths)
            {
                next.Add([.. path, text]);
                if (optional)
                {
                    next.Add(path);
                }
            }

            paths = next;
        }

        return paths.Select(p => "/" + string.Join('/', p.Where(s => s.Length > 0))).Distinct();
    }

    public static bool Matches(RouteTemplate template, string path) =>
        new TemplateMatcher(template, new RouteValueDictionary()).TryMatch(new PathString(path), new RouteValueDictionary());

    public static decimal Precedence(RouteTemplate template) => RoutePrecedence.ComputeInbound(template);
}
