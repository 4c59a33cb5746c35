using Microsoft.Extensions.Options;

namespace IntegrationHub.Secrets.Vault;

/// <summary>
/// <see cref="ISecretStore"/> on Vault's KV v2 engine: one key per credential at
/// <c>{PathPrefix}/tenants/{tenantId}/credentials/{credentialId}</c>, creates with <c>cas: 0</c>,
/// updates with the version read, soft delete on <c>DELETE data/</c>, destroy on <c>DELETE metadata/</c>.
/// </summary>
internal sealed class VaultSecretStore(VaultClient client, IOptions<VaultOptions> options) : ISecretStore
{
    public string Kind => "vault";

    /// <summary>The KV path of a credential's secret (relative to the mount).</summary>
    public string PathOf(string tenantId, string credentialId)
    {
        SecretPath.Validate(tenantId, credentialId);
        return $"{options.Value.PathPrefix.Trim('/')}/tenants/{tenantId}/credentials/{credentialId}";
    }

    public async Task<long> CreateAsync(string tenantId, string credentialId, SecretValues values, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.WriteSecretAsync(PathOf(tenantId, credentialId), values, cas: 0, cancellationToken)).Version;
        }
        catch (SecretAlreadyExistsException e)
        {
            throw new SecretAlreadyExistsException($"Secret values of credential '{credentialId}' in tenant '{tenantId}' already exist in Vault at {client.Host} (check-and-set 0 failed, 400).", e) { StatusCode = 400 };
        }
    }

    public async Task<long> UpdateAsync(string tenantId, string credentialId, SecretValues values, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedVersion, 1);
        try
        {
            return (await client.WriteSecretAsync(PathOf(tenantId, credentialId), values, expectedVersion, cancellationToken)).Version;
        }
        catch (SecretVersionConflictException e)
        {
            throw new SecretVersionConflictException($"Secret values of credential '{credentialId}' in tenant '{tenantId}' changed since version {expectedVersion} (Vault at {client.Host}: check-and-set failed, 400); read them again.", e) { StatusCode = 400 };
        }
    }

    public async Task<StoredSecret?> ReadAsync(string tenantId, string credentialId, CancellationToken cancellationToken)
    {
        var secret = await client.ReadSecretAsync(PathOf(tenantId, credentialId), version: null, cancellationToken);
        return secret is null ? null : new StoredSecret(secret.Data, secret.Metadata.Version);
    }

    public async Task DeleteAsync(string tenantId, string credentialId, bool destroy, CancellationToken cancellationToken)
    {
        var path = PathOf(tenantId, credentialId);
        if (destroy)
        {
            await client.DeleteMetadataAsync(path, cancellationToken);
        }
        else
        {
            await client.DeleteLatestVersionAsync(path, cancellationToken);
        }
    }
}
