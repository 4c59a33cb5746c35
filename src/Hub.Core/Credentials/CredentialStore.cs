using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Core.Credentials;

/// <summary>Credential metadata in the <c>credentials</c> container (partition <c>/tenantId</c>).</summary>
public sealed class CredentialStore(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("credentials");

    private readonly DocumentSet<Credential> _credentials = cosmos.Documents<Credential>(Container.Name);

    /// <summary>A credential, or null (also for another tenant's id).</summary>
    public Task<Credential?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) => _credentials.ReadAsync(tenantId, id, cancellationToken);

    /// <summary>Creates the metadata.</summary>
    public Task<Credential> CreateAsync(Credential credential, CancellationToken cancellationToken) => _credentials.CreateAsync(credential, cancellationToken);

    /// <summary>Replaces the metadata at the version it was read at.</summary>
    public Task<Credential> ReplaceAsync(Credential credential, CancellationToken cancellationToken) => _credentials.ReplaceAsync(credential, cancellationToken);

    /// <summary>Deletes the metadata (at <paramref name="etag"/> when given).</summary>
    public Task<bool> DeleteAsync(string tenantId, string id, string? etag, CancellationToken cancellationToken) => _credentials.DeleteAsync(tenantId, id, etag, cancellationToken);

    /// <summary>A page of a tenant's credentials, newest first, optionally of one connector.</summary>
    public Task<Page<Credential>> ListAsync(string tenantId, string? connectorId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var query = connectorId is null
            ? new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.createdAt DESC")
            : new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND c.connectorId = @connector ORDER BY c.createdAt DESC").WithParameter("@connector", connectorId);
        return StoreRefusals.Translate(_credentials.QueryPageAsync(query, tenantId, pageSize, continuationToken, cancellationToken));
    }
}
