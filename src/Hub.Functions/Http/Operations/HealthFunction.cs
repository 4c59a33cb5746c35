using System.Reflection;
using IntegrationHub.Functions.Security;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.Operations;

/// <summary><c>GET /api/health</c>: liveness and the state of each dependency.</summary>
[Requires(Access.Anonymous)]
[Tags("Operations")]
public sealed class HealthFunction(DependencyMonitor monitor)
{
    /// <summary>The report: overall status and each dependency's state.</summary>
    /// <param name="Status"><c>healthy</c>, or <c>unhealthy</c> when a required dependency (Cosmos DB) is unreachable.</param>
    /// <param name="Version">The hub's version.</param>
    /// <param name="Dependencies">Each dependency by name.</param>
    public sealed record HealthReport(string Status, string Version, IReadOnlyDictionary<string, DependencyState> Dependencies);

    /// <summary>200 when healthy, 503 when a required dependency is unreachable.</summary>
    [Function("Health")]
    [EndpointSummary("Liveness and the state of each dependency")]
    [ProducesResponseType<HealthReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<HealthReport>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var dependencies = await monitor.CheckAsync(cancellationToken);
        var healthy = dependencies.Values.All(d => !d.Required || d.Status == DependencyStatus.Reachable);
        var report = new HealthReport(healthy ? "healthy" : "unhealthy", Version, dependencies);
        return TypedResults.Json(report, Api.ApiJson.Options, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static string Version { get; } =
        typeof(HealthFunction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
