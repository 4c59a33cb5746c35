using IntegrationHub.Connectors;
using IntegrationHub.Functions.Functions.ProbeDependencies;
using IntegrationHub.Functions.Hosting.CustomHandler;
using IntegrationHub.Functions.Hosting.Standalone;
using IntegrationHub.Shared.Configuration;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IntegrationHub.Functions.Hosting;

/// <summary>
/// Every registration of the handler app in one place. Defaults use <c>TryAdd</c>, so a test or a
/// deployment can replace any of them by registering its own first.
/// </summary>
public static class HubServiceCollectionExtensions
{
    /// <summary>Adds the hub's services.</summary>
    public static IServiceCollection AddHub(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHubOptions<HostingOptions>(HostingOptions.Section);
        services.AddProblemDetails();
        services.AddHttpClient(StandaloneTimerScheduler.HttpClientName, c => c.Timeout = TimeSpan.FromMinutes(10));

        services.AddHubCosmos();
        services.AddConnectors();

        services.TryAddSingleton<PrometheusExporter>();
        services.TryAddSingleton<DependencyMonitor>();

        services.AddTimerFunction<ProbeDependenciesFunction>();
        services.AddHostedService<StandaloneTimerScheduler>();
        return services;
    }

    /// <summary>Registers a timer function; its <c>function.json</c> lives in <c>Functions/{Name}/</c>.</summary>
    public static IServiceCollection AddTimerFunction<TFunction>(this IServiceCollection services)
        where TFunction : class, ITimerFunction
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITimerFunction, TFunction>());
        return services;
    }

    /// <summary>Adds the middleware: problem responses for every error.</summary>
    public static WebApplication UseHub(this WebApplication app)
    {
        // Resolve the exporter up front so it listens from the first request on.
        app.Services.GetRequiredService<PrometheusExporter>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
