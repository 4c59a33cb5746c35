using Azure.Monitor.OpenTelemetry.Exporter;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace IntegrationHub.Functions.Hosting.Telemetry;

/// <summary>
/// Telemetry on the packages made for it: OpenTelemetry with the Functions worker's defaults
/// (Microsoft.Azure.Functions.Worker.OpenTelemetry: invocation activities correlated with the host's, and
/// the resource <c>service.name</c> = <c>WEBSITE_SITE_NAME</c>, which Application Insights shows as the cloud
/// role name) and the Azure Monitor exporter (traces, the hub's <c>IntegrationHub.*</c> meters, logs) —
/// switched on by <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> alone. <c>/api/metrics</c> (Prometheus text)
/// is always on.
/// </summary>
/// <remarks>
/// <para>
/// The decision is taken at registration: without a connection string no exporter, listener or
/// background thread exists, so local runs and tests behave the same with or without it.
/// </para>
/// <para>
/// What is sent, as Application Insights envelopes POSTed (newline-delimited JSON) to
/// <c>{IngestionEndpoint}/v2.1/track</c> of the connection string, in batches: traces (function invocations
/// from the worker's <c>Microsoft.Azure.Functions.Worker</c> source; outgoing <see cref="HttpClient"/> calls as
/// dependencies), metrics of every meter named <c>IntegrationHub.*</c> (aggregated and exported every 60 s, the
/// OpenTelemetry SDK's default periodic reader interval; values in the instruments' own units), and logs: the
/// hub's categories (<c>IntegrationHub.*</c>) from <see cref="LogLevel.Information"/>, every other category from
/// <see cref="LogLevel.Warning"/> (framework and HTTP client chatter stays local).
/// </para>
/// <para>
/// Setup as in Microsoft Learn, "Use OpenTelemetry with Azure Functions"
/// (https://learn.microsoft.com/azure/azure-functions/opentelemetry-howto), exporter per signal as in
/// "Enable Azure Monitor OpenTelemetry for .NET" (https://learn.microsoft.com/azure/azure-monitor/app/opentelemetry-enable).
/// A connection string the exporter cannot parse fails when the providers are built (at start-up).
/// </para>
/// </remarks>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The app setting (and environment variable) the Functions platform and the hub read.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Log categories exported from <see cref="LogLevel.Information"/> (prefix match); all others from <see cref="LogLevel.Warning"/>.</summary>
    public const string HubLogCategory = HubMeters.Prefix;

    /// <summary>Adds the Prometheus scrape source, and Azure Monitor export when a connection string is configured.</summary>
    /// <param name="services">The worker's services.</param>
    /// <param name="configuration">Read for <see cref="ConnectionStringSetting"/> only; empty or whitespace means off.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> is null.</exception>
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

        // Filters for the OpenTelemetry logger provider only: the console and the host keep their own levels.
        services.AddLogging(logging => logging
            .AddFilter<OpenTelemetryLoggerProvider>(category: null, LogLevel.Warning)
            .AddFilter<OpenTelemetryLoggerProvider>(HubLogCategory, LogLevel.Information));
        return services;
    }
}
