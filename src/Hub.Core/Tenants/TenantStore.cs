using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Core.Tenants;

/// <summary>Tenants and their API keys, in the <c>tenants</c> container (partition <c>/tenantId</c>).</summary>
public sealed class TenantStore(HubCosmos cosmos, TimeProvider time)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("tenants");

    private readonly DocumentSet<Tenant> _tenants = cosmos.Documents<Tenant>(Container.Name);
    private readonly DocumentSet<ApiKey> _keys = cosmos.Documents<ApiKey>(Container.Name);

    /// <summary>Creates a tenant; <see cref="DocumentExistsException"/> when the id is taken.</summary>
    /// <exception cref="ValidationFailedException">On <c>id</c>: <paramref name="tenantId"/> breaks the id rule (<see cref="ResourceIds"/>).</exception>
    public Task<Tenant> CreateAsync(string tenantId, string displayName, CancellationToken cancellationToken) =>
        StoreRefusals.Translate(_tenants.CreateAsync(new Tenant { Id = Tenant.DocumentId, TenantId = tenantId, DisplayName = displayName, CreatedAt = time.GetUtcNow() }, cancellationToken));

    /// <summary>A tenant, or null.</summary>
    public Task<Tenant?> GetAsync(string tenantId, CancellationToken cancellationToken) => _tenants.ReadAsync(tenantId, Tenant.DocumentId, cancellationToken);

    /// <summary>A page of tenants, by id.</summary>
    public Task<Page<Tenant>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        StoreRefusals.Translate(_tenants.QueryPageAsync(new QueryDefinition("SELECT * FROM c WHERE c.type = 'tenant' ORDER BY c.tenantId"), null, pageSize, continuationToken, cancellationToken));

    /// <summary>Creates a key; returns the stored record and the key text, which is never available again.</summary>
    public async Task<(ApiKey Stored, string Key)> CreateKeyAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        var (key, keyId, hash) = ApiKeyFormat.Generate(tenantId);
        var stored = await _keys.CreateAsync(
            new ApiKey { Id = ApiKey.DocumentIdOf(keyId), TenantId = tenantId, KeyId = keyId, Name = name, Hash = hash, CreatedAt = time.GetUtcNow() },
            cancellationToken);
        return (stored, key);
    }

    /// <summary>A key record, or null.</summary>
    public Task<ApiKey?> GetKeyAsync(string tenantId, string keyId, CancellationToken cancellationToken) =>
        _keys.ReadAsync(tenantId, ApiKey.DocumentIdOf(keyId), cancellationToken);

    /// <summary>Every key of a tenant (hashes included: callers map to a view without them).</summary>
    public async Task<IReadOnlyList<ApiKey>> ListKeysAsync(string tenantId, CancellationToken cancellationToken)
    {
        var keys = new List<ApiKey>();
        await foreach (var key in _keys.QueryAsync(new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = 'apikey' ORDER BY c.createdAt"), tenantId, cancellationToken))
        {
            keys.Add(key);
        }

        return keys;
    }

    /// <summary>Revokes a key; false when there is no such key.</summary>
    public async Task<ApiKey?> RevokeKeyAsync(string tenantId, string keyId, CancellationToken cancellationToken)
    {
        var key = await GetKeyAsync(tenantId, keyId, cancellationToken);
        if (key is null)
        {
            return null;
        }

        return key.RevokedAt is not null ? key : await _keys.ReplaceAsync(key with { RevokedAt = time.GetUtcNow() }, cancellationToken);
    }
}
