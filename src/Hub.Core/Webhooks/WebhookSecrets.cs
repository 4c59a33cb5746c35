using System.Security.Cryptography;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Secrets;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Core.Webhooks;

/// <summary>An integration's webhook secret as set: <paramref name="Secret"/> is the hub-generated value, shown once (null when the system issued it).</summary>
public sealed record IssuedWebhookSecret(string? Secret, WebhookSecretIssuer Issuer, long Version);

/// <summary>
/// Integrations' webhook secrets, kept in the <see cref="ISecretStore"/> (Vault or the local AES-GCM store) like credentials,
/// under the name <c>webhook-{integrationId}</c>. The hub generates 32 random bytes (64 hex digits) for GitHub, Jira and
/// REST; Slack's signing secret and Zulip's bot token are issued by those systems and given to the hub. Setting it again rotates it.
/// </summary>
public sealed class WebhookSecrets(IntegrationService integrations, IConnectorCatalog catalog, ISecretStore secrets, ILogger<WebhookSecrets> logger)
{
    /// <summary>The name of the value in the secret store.</summary>
    public const string ValueName = "secret";

    /// <summary>The secret-store id of an integration's webhook secret.</summary>
    public static string SecretIdOf(string integrationId) => $"webhook-{integrationId}";

    /// <summary>Sets (or rotates) an integration's webhook secret.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="integrationId">The integration.</param>
    /// <param name="provided">The system-issued secret (Slack, Zulip); must be null for connectors whose secret the hub generates.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ResourceNotFoundException">No such integration.</exception>
    /// <exception cref="ValidationFailedException">The connector receives no webhooks, or <paramref name="provided"/> is missing or not allowed (field <c>secret</c>).</exception>
    public async Task<IssuedWebhookSecret> SetAsync(string tenantId, string integrationId, string? provided, CancellationToken cancellationToken)
    {
        var integration = await integrations.GetAsync(tenantId, integrationId, cancellationToken);
        if (catalog.Find(integration.ConnectorId) is not IWebhookReceiver receiver)
        {
            throw new ValidationFailedException("connectorId", $"connector '{integration.ConnectorId}' does not receive webhooks.");
        }

        string secret;
        if (receiver.SecretIssuer == WebhookSecretIssuer.Hub)
        {
            if (provided is not null)
            {
                throw new ValidationFailedException("secret", $"must be absent: the hub generates the webhook secret of {integration.ConnectorId} integrations.");
            }

            secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        }
        else
        {
            if (string.IsNullOrWhiteSpace(provided) || provided.Length is < 8 or > 512)
            {
                throw new ValidationFailedException("secret", $"is required for {integration.ConnectorId}: the secret {integration.ConnectorId} issued (8-512 characters).");
            }

            secret = provided.Trim();
        }

        var values = SecretValues.From([new KeyValuePair<string, string>(ValueName, secret)]);
        var id = SecretIdOf(integrationId);
        long version;
        if (await secrets.ReadAsync(tenantId, id, cancellationToken) is { } existing)
        {
            version = await secrets.UpdateAsync(tenantId, id, values, existing.Version, cancellationToken);
        }
        else
        {
            try
            {
                version = await secrets.CreateAsync(tenantId, id, values, cancellationToken);
            }
            catch (SecretAlreadyExistsException)
            {
                // Soft-deleted before, or set at the same moment: rotate what is there.
                var current = await secrets.ReadAsync(tenantId, id, cancellationToken);
                version = await secrets.UpdateAsync(tenantId, id, values, current?.Version ?? 0, cancellationToken);
            }
        }

        Logs.WebhookSecretSet(logger, tenantId, integrationId, version);
        return new IssuedWebhookSecret(receiver.SecretIssuer == WebhookSecretIssuer.Hub ? secret : null, receiver.SecretIssuer, version);
    }

    /// <summary>The integration's current webhook secret, or null when none was set.</summary>
    public async Task<string?> ReadAsync(string tenantId, string integrationId, CancellationToken cancellationToken) =>
        (await secrets.ReadAsync(tenantId, SecretIdOf(integrationId), cancellationToken))?.Values.GetValueOrDefault(ValueName);

    /// <summary>Destroys the integration's webhook secret (when the integration is deleted).</summary>
    public Task DeleteAsync(string tenantId, string integrationId, CancellationToken cancellationToken) =>
        secrets.DeleteAsync(tenantId, SecretIdOf(integrationId), destroy: true, cancellationToken);
}
