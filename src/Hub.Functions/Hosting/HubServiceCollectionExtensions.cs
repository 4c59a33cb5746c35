using IntegrationHub.Connectors;
using IntegrationHub.Core;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Functions.DrainCommands;
using IntegrationHub.Functions.Functions.ProbeDependencies;
using IntegrationHub.Functions.Functions.ResumeRuns;
using IntegrationHub.Functions.Functions.ScheduleSyncs;
using IntegrationHub.Jobs;
using IntegrationHub.Functions.Security;
using IntegrationHub.Pulsar;
using IntegrationHub.Secrets;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using IntegrationHub.Functions.Hosting.CustomHandler;
using IntegrationHub.Functions.Hosting.Standalone;
using IntegrationHub.Functions.Hosting.Telemetry;
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
    /// <summary>Adds the hub's services; <paramref name="configuration"/> decides what is switched on at registration (telemetry).</summary>
    public static IServiceCollection AddHub(this IServiceCollection services, IConfiguration? configuration = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHubOptions<HostingOptions>(HostingOptions.Section);
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddHubOptions<ApiOptions>(ApiOptions.Section);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) => kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes);
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "IntegrationHub API";
            document.Info.Description = "Connectors, integrations, credentials, flows and runs. Authenticate with 'Authorization: Bearer <API key>'.";
            return Task.CompletedTask;
        }));
        services.AddHubSecurity();
        services.AddHttpClient(StandaloneTimerScheduler.HttpClientName, c => c.Timeout = TimeSpan.FromMinutes(10));

        services.AddHubCosmos();
        services.AddHubSecrets();
        services.AddHubPulsar(configuration ?? ConfigurationOf(services));
        services.AddConnectors();
        services.AddHubCore();

        services.TryAddSingleton<PrometheusExporter>();
        services.TryAddSingleton<DependencyMonitor>();

        services.AddHubJobs();
        services.AddTimerFunction<ProbeDependenciesFunction>();
        services.AddTimerFunction<ScheduleSyncsFunction>();
        services.AddTimerFunction<ResumeRunsFunction>();
        services.AddTimerFunction<DrainCommandsFunction>();
        services.AddHostedService<StandaloneTimerScheduler>();
        services.AddHubTelemetry(configuration ?? ConfigurationOf(services));
        return services;
    }

    /// <summary>The <see cref="IConfiguration"/> instance registered in <paramref name="services"/>, when one was registered as an instance.</summary>
    private static IConfiguration? ConfigurationOf(IServiceCollection services) =>
        services.LastOrDefault(d => d.ServiceType == typeof(IConfiguration) && !d.IsKeyedService)?.ImplementationInstance as IConfiguration;

    /// <summary>Registers a timer function; its <c>function.json</c> lives in <c>Functions/{Name}/</c>.</summary>
    public static IServiceCollection AddTimerFunction<TFunction>(this IServiceCollection services)
        where TFunction : class, ITimerFunction
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITimerFunction, TFunction>());
        return services;
    }

    /// <summary>Adds the middleware: problem responses for every error, authentication, idempotent POSTs.</summary>
    public static WebApplication UseHub(this WebApplication app)
    {
        // Resolve the exporter up front so it listens from the first request on.
        app.Services.GetRequiredService<PrometheusExporter>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<IdempotencyMiddleware>();
        return app;
    }

    /// <summary>API keys, the admin key and App Service principals; every endpoint requires a caller unless it says otherwise.</summary>
    private static IServiceCollection AddHubSecurity(this IServiceCollection services)
    {
        services.AddHubOptions<AuthOptions>(AuthOptions.Section);
        services.AddMemoryCache();
        services.AddAuthentication(Caller.Scheme).AddScheme<AuthenticationSchemeOptions, HubAuthenticationHandler>(Caller.Scheme, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(Caller.Scheme).RequireAuthenticatedUser().Build())
            .AddPolicy(Caller.TenantPolicy, p => p.AddAuthenticationSchemes(Caller.Scheme).RequireClaim(Caller.TenantClaim))
            .AddPolicy(Caller.AdminPolicy, p => p.AddAuthenticationSchemes(Caller.Scheme).RequireRole(Caller.AdminRole))
            .AddPolicy(Caller.TenantOrAdminPolicy, p => p.AddAuthenticationSchemes(Caller.Scheme)
                .RequireAssertion(c => c.User.HasClaim(claim => claim.Type == Caller.TenantClaim) || c.User.IsInRole(Caller.AdminRole)));
        return services;
    }
}
