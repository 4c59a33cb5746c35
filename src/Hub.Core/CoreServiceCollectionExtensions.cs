using IntegrationHub.Core.Credentials;
using IntegrationHub.Core.Idempotency;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Tenants;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IntegrationHub.Core;

/// <summary>Registers the hub's domain stores and the Cosmos containers they own.</summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>Adds tenants, idempotency records, credentials and integrations (stores and the services the API and run engine share). Needs <c>AddHubSecrets()</c> and <c>AddConnectors()</c> from the host.</summary>
    public static IServiceCollection AddHubCore(this IServiceCollection services)
    {
        services.AddCosmosContainer(TenantStore.Container);
        services.AddCosmosContainer(IdempotencyStore.Container);
        services.AddCosmosContainer(CredentialStore.Container);
        services.AddCosmosContainer(IntegrationStore.Container);
        services.TryAddSingleton<TenantStore>();
        services.TryAddSingleton<IdempotencyStore>();
        services.TryAddSingleton<CredentialStore>();
        services.TryAddSingleton<IntegrationStore>();
        services.TryAddSingleton<CredentialService>();
        services.TryAddSingleton<IntegrationService>();
        return services;
    }
}
