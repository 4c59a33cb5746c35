using IntegrationHub.Connectors.GitHub;
using IntegrationHub.Connectors.Http;
using IntegrationHub.Connectors.Jira;
using IntegrationHub.Connectors.Rest;
using IntegrationHub.Connectors.Sample;
using IntegrationHub.Connectors.Slack;
using IntegrationHub.Connectors.Zulip;
using IntegrationHub.Shared.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IntegrationHub.Connectors;

/// <summary>Registers the connector framework and the built-in connectors.</summary>
public static class ConnectorServiceCollectionExtensions
{
    /// <summary>The framework and every built-in connector: one line per connector.</summary>
    public static IServiceCollection AddConnectors(this IServiceCollection services)
    {
        services.AddConnectorFramework();
        services.AddConnector<ZulipConnector>();
        services.AddConnector<SlackConnector>();
        services.AddConnector<GitHubConnector>();
        services.AddConnector<JiraConnector>();
        services.AddConnector<RestConnector>();
        services.AddConnector<SampleConnector>();
        return services;
    }

    /// <summary>The framework alone: options (section <c>Connectors</c>), SSRF guard, HTTP factory, metrics, catalog.</summary>
    public static IServiceCollection AddConnectorFramework(this IServiceCollection services)
    {
        services.AddLogging();
        services.AddMetrics();
        services.AddHubOptions<ConnectorOptions>(ConnectorOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DestinationGuard>();
        services.TryAddSingleton<ConnectorMetrics>();
        services.TryAddSingleton<ConnectorHttpFactory>();
        services.TryAddSingleton<ConnectorServices>();
        services.TryAddSingleton<IConnectorCatalog, ConnectorCatalog>();
        return services;
    }

    /// <summary>Registers a connector; the catalog discovers it. Registering a type twice is a no-op.</summary>
    public static IServiceCollection AddConnector<TConnector>(this IServiceCollection services)
        where TConnector : class, IConnector
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnector, TConnector>());
        return services;
    }
}
