using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.ApplicationInsights;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Hosting.Telemetry;

/// <summary>
/// Production telemetry: the handler's requests, outgoing HTTP calls, logs and <c>IntegrationHub.*</c>
/// metrics sent to Application Insights — switched on by <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> alone.
/// </summary>
/// <remarks>
/// The decision is taken at registration time, not at run time: without a connection string nothing is
/// registered, so no channel, listener, timer or background thread exists and local runs and tests behave
/// exactly as before. The Application Insights core SDK is used (the AspNetCore package drags ASP.NET Core
/// 2.x packages that do not restore cleanly on net10.0), with small adapters for what the AspNetCore
/// package would have collected: <see cref="RequestTelemetryMiddleware"/> for requests,
/// <see cref="DependencyTelemetryListener"/> for outgoing HTTP calls, <see cref="MeterTelemetryBridge"/>
/// for <see cref="System.Diagnostics.Metrics"/> instruments; logs go through the SDK's own ILogger provider.
/// </remarks>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The app setting (and environment variable) the Functions platform and the hub read.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>
    /// Adds Application Insights export when <paramref name="configuration"/> has a non-empty
    /// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>; otherwise adds nothing. Registrations use <c>TryAdd</c>,
    /// so a test can supply its own <see cref="TelemetryConfiguration"/> channel.
    /// </summary>
    public static IServiceCollection AddHubTelemetry(this IServiceCollection services, IConfiguration? configuration)
    {
        var connectionString = configuration?[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString) || services.Any(d => d.ServiceType == typeof(MeterTelemetryBridge)))
        {
            return services;
        }

        // One TelemetryConfiguration for the logger provider and the hub's own client (the provider reads IOptions<TelemetryConfiguration>).
        services.AddOptions<TelemetryConfiguration>().Configure(c =>
        {
            c.ConnectionString = connectionString;
            c.TelemetryInitializers.Add(new OperationCorrelationTelemetryInitializer());
            c.TelemetryInitializers.Add(new CloudRoleTelemetryInitializer(configuration!));
        });
        services.TryAddSingleton(sp => new TelemetryClient(sp.GetRequiredService<IOptions<TelemetryConfiguration>>().Value));

        services.AddLogging(logging =>
        {
            logging.AddApplicationInsights(_ => { }, o => o.TrackExceptionsAsExceptionTelemetry = true);

            // The provider's default floor is Warning; the hub's own categories are worth keeping from Information.
            logging.AddFilter<ApplicationInsightsLoggerProvider>("IntegrationHub", LogLevel.Information);
        });

        services.TryAddSingleton<MeterTelemetryBridge>();
        services.TryAddSingleton<DependencyTelemetryListener>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TelemetryLifetime>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, RequestTelemetryStartupFilter>());
        return services;
    }
}
