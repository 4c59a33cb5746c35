using Azure.Monitor.OpenTelemetry.Exporter;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace IntegrationHub.Functions.Hosting.Telemetry;

/// <summary>
/// Telemetry on the packages made for it: OpenTelemetry with the Functions worker's defaults
/// (Microsoft.Azure.Functions.Worker.OpenTelemetry: invocation activities correlated with the host's) and
/// the Azure Monitor exporter (traces, the hub's <c>IntegrationHub.*</c> meters, logs) — switched on by
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> alone. <c>/api/metrics</c> (Prometheus text) is always on.
/// </summary>
/// <remarks>
/// The decision is taken at registration: without a connection string no exporter, listener or
/// background thread exists, so local runs and tests behave the same with or without it.
/// </remarks>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The app setting (and environment variable) the Functions platform and the hub read.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Adds the Prometheus scrape source, and Azure Monitor export when a connection string is configured.</summary>
    public static IServiceCollection AddHubTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton<PrometheusMetrics>();

        var connectionString = configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing
                .AddHttpClientInstrumentation()
                .AddAzureMonitorTraceExporter(o => o.ConnectionString = connectionString))
            .WithMetrics(metrics => metrics
                .AddMeter($"{HubMeters.Prefix}.*")
                .AddAzureMonitorMetricExporter(o => o.ConnectionString = connectionString))
            .WithLogging(logging => logging.AddAzureMonitorLogExporter(o => o.ConnectionString = connectionString));
        return services;
    }
}
