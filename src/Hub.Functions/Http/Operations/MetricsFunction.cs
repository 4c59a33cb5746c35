using IntegrationHub.Functions.Hosting.Telemetry;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.Operations;

/// <summary><c>GET /api/metrics</c>: the hub's metrics in the Prometheus text exposition format.</summary>
[Requires(Access.Anonymous)]
[Tags("Operations")]
public sealed class MetricsFunction(PrometheusMetrics metrics)
{
    /// <summary>200 with <c>text/plain; version=0.0.4</c>.</summary>
    [Function("Metrics")]
    [EndpointSummary("Metrics in the Prometheus text exposition format")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, PrometheusMetrics.ContentType)]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/metrics")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await metrics.WriteAsync(buffer, cancellationToken);
        return TypedResults.Bytes(buffer.ToArray(), PrometheusMetrics.ContentType);
    }
}
