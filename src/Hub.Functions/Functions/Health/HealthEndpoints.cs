using System.Reflection;
using IntegrationHub.Functions.Hosting;
using IntegrationHub.Shared.Diagnostics;

namespace IntegrationHub.Functions.Functions.Health;

/// <summary>The <c>Health</c> function: <c>GET /api/health</c>.</summary>
public static class HealthEndpoints
{
    /// <summary>The report: overall status, hosting mode, and each dependency's state.</summary>
    /// <param name="Status"><c>healthy</c>, or <c>unhealthy</c> when a required dependency (Cosmos DB) is unreachable.</param>
    /// <param name="Version">The hub's version.</param>
    /// <param name="Mode"><c>functions-host</c> or <c>standalone</c>.</param>
    /// <param name="Dependencies">Each dependency by name.</param>
    public sealed record HealthReport(string Status, string Version, string Mode, IReadOnlyDictionary<string, DependencyState> Dependencies);

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/health", GetAsync)
            .WithName("Health")
            .WithTags("Operations")
            .WithSummary("Liveness and the state of each dependency")
            .AllowAnonymous();
        return endpoints;
    }

    private static async Task<IResult> GetAsync(DependencyMonitor monitor, HostingMode mode, CancellationToken cancellationToken)
    {
        var dependencies = await monitor.CheckAsync(cancellationToken);
        var healthy = dependencies.Values.All(d => !d.Required || d.Status == DependencyStatus.Reachable);
        var report = new HealthReport(healthy ? "healthy" : "unhealthy", Version, mode.Name, dependencies);
        return TypedResults.Json(report, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static string Version { get; } =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
