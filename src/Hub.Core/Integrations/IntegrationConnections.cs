using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Secrets;

namespace IntegrationHub.Core.Integrations;

/// <summary>A command could not be carried out because of what it asked (not a passing failure).</summary>
public sealed class IntegrationActionRefusedException(string message) : Exception(message)
{
}

/// <summary>
/// Opens an integration's connection: its connector, configuration and the credential's values from the
/// secret store. The one place syncs, action steps and inbound commands get a <see cref="ConnectorContext"/>.
/// </summary>
public sealed class IntegrationConnections(IntegrationStore integrations, IConnectorCatalog catalog, ISecretStore secrets)
{
    /// <summary>The connector and connection context of an integration.</summary>
    public async Task<(IConnector Connector, ConnectorContext Context)> OpenAsync(Integration integration, IConnectorObserver? observer, CancellationToken cancellationToken)
    {
        var connector = catalog.Find(integration.ConnectorId)
            ?? throw new IntegrationActionRefusedException($"Connector '{integration.ConnectorId}' is not installed in this hub.");
        var values = integration.CredentialId is null
            ? null
            : (await secrets.ReadAsync(integration.TenantId, integration.CredentialId, cancellationToken))?.Values;
        var context = new ConnectorContext
        {
            TenantId = integration.TenantId,
            IntegrationId = integration.Id,
            CredentialId = integration.CredentialId,
            Configuration = integration.Configuration,
            Credentials = values?.ToDictionary() ?? new Dictionary<string, string>(),
            Observer = observer ?? NullConnectorObserver.Instance,
        };
        return (connector, context);
    }

    /// <summary>
    /// Runs a connector action of a tenant's integration; <see cref="IntegrationActionRefusedException"/> for unknown
    /// integrations or actions. With <paramref name="deferRateLimits"/> (a run's activity) a rate limit is not waited
    /// in-process but thrown as <see cref="RateLimitedException"/> (<see cref="ConnectorContext.DeferRateLimits"/>).
    /// </summary>
    public async Task<JsonElement> ExecuteActionAsync(string tenantId, string integrationId, string action, JsonElement input, CancellationToken cancellationToken, bool deferRateLimits = false)
    {
        var integration = await integrations.GetAsync(tenantId, integrationId, cancellationToken)
            ?? throw new IntegrationActionRefusedException($"Integration '{integrationId}' of tenant '{tenantId}' was not found.");
        var (connector, context) = await OpenAsync(integration, null, cancellationToken);
        if (!connector.Descriptor.Actions.Any(a => a.Name == action))
        {
            throw new IntegrationActionRefusedException($"'{action}' is not an action of {integration.ConnectorId}.");
        }

        return await connector.ExecuteActionAsync(context with { DeferRateLimits = deferRateLimits }, action, input, cancellationToken);
    }
}
