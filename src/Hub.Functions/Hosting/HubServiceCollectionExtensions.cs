using IntegrationHub.Connectors;
using IntegrationHub.Core;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Middleware;
using IntegrationHub.Functions.Hosting.Telemetry;
using IntegrationHub.Functions.Security;
using IntegrationHub.Jobs;
using IntegrationHub.Pulsar;
using IntegrationHub.Secrets;
using IntegrationHub.Shared.Configuration;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IntegrationHub.Functions.Hosting;

/// <summary>
/// Every registration of the Function App in one place. Defaults use <c>TryAdd</c>, so a deployment can
/// replace any of them by registering its own first.
/// </summary>
public static class HubServiceCollectionExtensions
{
    /// <summary>Adds the hub's services, its worker middleware and its telemetry to the Functions application.</summary>
    public static FunctionsApplicationBuilder AddHub(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHub(builder.Configuration);
        builder.UseHubHttpMiddleware();

        // At the default level a log says what a person acts on: requests, runs, state changes. Each outgoing HTTP
        // hop and each resilience attempt is Debug detail (their failures still log as warnings and errors).
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        // Per invocation framework chatter ("Setting HTTP status code", "Writing value of type", "Scheduling new
        // orchestration", "orchestration started/completed") says nothing the hub's own logs and the host's invocation
        // and Durable tracking logs do not; each line also crossed the worker's gRPC channel to the host.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.DurableTask", LogLevel.Warning);
        return builder;
    }

    /// <summary>Adds the hub's services; <paramref name="configuration"/> decides what is switched on at registration (telemetry, Pulsar).</summary>
    public static IServiceCollection AddHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddHubOptions<ApiOptions>(ApiOptions.Section);
        services.AddHubOptions<AuthOptions>(AuthOptions.Section);
        services.AddMemoryCache();
        services.TryAddSingleton<ApiKeyAuthenticator>();

        services.AddHubCosmos();
        services.AddHubSecrets();
        services.AddHubPulsar(configuration);
        services.AddConnectors();
        services.AddHubCore();
        services.AddHubJobs();
        services.TryAddSingleton<DependencyMonitor>();
        services.AddHubTelemetry(configuration);
        return services;
    }
}
