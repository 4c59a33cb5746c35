using Azure.Core;
using Azure.Identity;
using IntegrationHub.Secrets.Local;
using IntegrationHub.Secrets.OAuth;
using IntegrationHub.Secrets.Vault;
using IntegrationHub.Secrets.Vault.Auth;
using IntegrationHub.Shared.Configuration;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Secrets;

/// <summary>Registers where credentials' secret values live, and the OAuth2 token service.</summary>
public static class SecretsServiceCollectionExtensions
{
    /// <summary>The key of the <see cref="TokenCredential"/> Vault's azure auth uses (a test or host may register its own first).</summary>
    public const string VaultAzureCredentialKey = "IntegrationHub.Vault";

    /// <summary>
    /// Adds <see cref="ISecretStore"/> — Vault when <c>Vault__Address</c> is set, otherwise the local
    /// AES-GCM store in the Cosmos container <c>secrets</c> — with its options (<c>Vault__*</c>,
    /// <c>Secrets__*</c>, <c>OAuth__*</c>), the <c>vault</c> health probe and <see cref="OAuthTokenService"/>.
    /// The local store needs <c>AddHubCosmos()</c> from the host.
    /// </summary>
    public static IServiceCollection AddHubSecrets(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHubOptions<VaultOptions>(VaultOptions.Section);
        services.AddHubOptions<LocalSecretOptions>(LocalSecretOptions.Section);
        services.AddHubOptions<OAuthOptions>(OAuthOptions.Section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LocalSecretOptions>, LocalSecretOptionsValidator>());
        services.AddCosmosContainer(new ContainerDefinition(LocalSecretStore.Container));

        // Vault
        services.AddHttpClient(VaultTransport.HttpClientName).RemoveAllLoggers(); // its requests carry a token: no header logging at any level
        services.TryAddSingleton<VaultTransport>();
        services.TryAddKeyedSingleton<TokenCredential>(VaultAzureCredentialKey, (sp, _) =>
        {
            var clientId = sp.GetRequiredService<IOptions<VaultOptions>>().Value.AzureClientId;
            return string.IsNullOrWhiteSpace(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        });
        services.TryAddSingleton<IVaultAuthMethod>(sp =>
        {
            var transport = sp.GetRequiredService<VaultTransport>();
            return transport.Options.AuthMethod switch
            {
                "approle" => new AppRoleAuthMethod(transport),
                "kubernetes" => new KubernetesAuthMethod(transport),
                "azure" => new AzureAuthMethod(transport, sp.GetRequiredKeyedService<TokenCredential>(VaultAzureCredentialKey)),
                _ => new TokenAuthMethod(transport),
            };
        });
        services.TryAddSingleton<VaultTokenManager>();
        services.TryAddSingleton(sp => new VaultClient(sp.GetRequiredService<VaultTransport>(), sp.GetRequiredService<VaultTokenManager>()));
        services.TryAddSingleton<VaultSecretStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDependencyProbe, VaultProbe>());

        // Local
        services.TryAddSingleton(sp => LocalSecretKey.Resolve(
            sp.GetRequiredService<IOptions<LocalSecretOptions>>().Value,
            sp.GetRequiredService<IHostEnvironment>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LocalSecretStore).FullName!)));
        services.TryAddSingleton<AesGcmSealer>();
        services.TryAddSingleton<LocalSecretStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LocalSecretKeyCheck>());

        services.TryAddSingleton<ISecretStore>(sp => sp.GetRequiredService<IOptions<VaultOptions>>().Value.IsConfigured
            ? sp.GetRequiredService<VaultSecretStore>()
            : sp.GetRequiredService<LocalSecretStore>());

        // OAuth
        services.AddHttpClient(OAuthTokenService.HttpClientName).RemoveAllLoggers(); // its requests carry a token: no header logging at any level
        services.TryAddSingleton<OAuthTokenService>();
        return services;
    }

    /// <summary>Resolves the local key at start-up (when Vault is not configured), so a generated Development key is announced when the hub starts, not at the first secret.</summary>
    private sealed class LocalSecretKeyCheck(IOptions<VaultOptions> vault, IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!vault.Value.IsConfigured)
            {
                services.GetRequiredService<LocalSecretKey>();
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
