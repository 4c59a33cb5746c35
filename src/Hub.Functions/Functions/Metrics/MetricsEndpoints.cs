using IntegrationHub.Shared.Diagnostics;

namespace IntegrationHub.Functions.Functions.Metrics;

/// <summary>The <c>Metrics</c> function: <c>GET /api/metrics</c> in the Prometheus text format.</summary>
public static class MetricsEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/metrics", (PrometheusExporter exporter) => TypedResults.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"))
            .WithName("Metrics")
            .WithTags("Operations")
            .WithSummary("Metrics in the Prometheus text exposition format")
            .AllowAnonymous();
        return endpoints;
    }
}
