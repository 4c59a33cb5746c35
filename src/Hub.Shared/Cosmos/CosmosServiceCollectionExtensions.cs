using IntegrationHub.Shared.Configuration;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IntegrationHub.Shared.Cosmos;

/// <summary>Registers the hub's Cosmos DB account, its start-up initializer and its health probe.</summary>
public static class CosmosServiceCollectionExtensions
{
    /// <summary>Adds <see cref="HubCosmos"/> bound to the <c>Cosmos</c> section.</summary>
    public static IServiceCollection AddHubCosmos(this IServiceCollection services)
    {
        services.AddHubOptions<CosmosOptions>(CosmosOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HubCosmos>();
        services.TryAddSingleton<CosmosInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<CosmosInitializer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDependencyProbe, CosmosProbe>());
        return services;
    }

    /// <summary>Declares a container a feature stores its documents in.</summary>
    public static IServiceCollection AddCosmosContainer(this IServiceCollection services, ContainerDefinition definition)
    {
        services.AddSingleton(definition);
        return services;
    }
}
