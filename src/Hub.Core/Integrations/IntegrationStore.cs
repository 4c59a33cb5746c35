using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Core.Integrations;

/// <summary>Integrations and their run state in the <c>integrations</c> container (partition <c>/tenantId</c>).</summary>
public sealed class IntegrationStore(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("integrations");

    private readonly DocumentSet<Integration> _integrations = cosmos.Documents<Integration>(Container.Name);
    private readonly DocumentSet<IntegrationState> _states = cosmos.Documents<IntegrationState>(Container.Name);

    /// <summary>An integration, or null (also for another tenant's id).</summary>
    public async Task<Integration?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        !id.Contains(':', StringComparison.Ordinal) && await _integrations.ReadAsync(tenantId, id, cancellationToken) is { Type: "integration" } found ? found : null;

    /// <summary>
    /// The integration with <paramref name="id"/> in whichever tenant holds it, or null: for callers that know no tenant
    /// (a webhook sender knows only the URL). Ids are random (<see cref="ResourceIds.New"/>), so at most one matches.
    /// A cross-partition query: callers cache the tenant.
    /// </summary>
    public async Task<Integration?> FindAnyTenantAsync(string id, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.id = @id AND c.type = 'integration'").WithParameter("@id", id);
        await foreach (var integration in _integrations.QueryAsync(query, null, cancellationToken))
        {
            return integration;
        }

        return null;
    }

    /// <summary>Creates an integration.</summary>
    public Task<Integration> CreateAsync(Integration integration, CancellationToken cancellationToken) => _integrations.CreateAsync(integration, cancellationToken);

    /// <summary>Replaces an integration at the version it was read at.</summary>
    public Task<Integration> ReplaceAsync(Integration integration, CancellationToken cancellationToken) => _integrations.ReplaceAsync(integration, cancellationToken);

    /// <summary>Deletes an integration and its state.</summary>
    public async Task<bool> DeleteAsync(string tenantId, string id, string? etag, CancellationToken cancellationToken)
    {
        var deleted = await _integrations.DeleteAsync(tenantId, id, etag, cancellationToken);
        if (deleted)
        {
            await _states.DeleteAsync(tenantId, IntegrationState.DocumentIdOf(id), null, cancellationToken);
        }

        return deleted;
    }

    /// <summary>A page of a tenant's integrations, newest first, filtered by connector and status when given.</summary>
    public Task<Page<Integration>> ListAsync(string tenantId, string? connectorId, string? status, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var text = "SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = 'integration'";
        var query = new QueryDefinition(text
            + (connectorId is null ? string.Empty : " AND c.connectorId = @connector")
            + (status is null ? string.Empty : " AND c.status = @status")
            + " ORDER BY c.createdAt DESC");
        if (connectorId is not null)
        {
            query = query.WithParameter("@connector", connectorId);
        }

        if (status is not null)
        {
            query = query.WithParameter("@status", status);
        }

        return StoreRefusals.Translate(_integrations.QueryPageAsync(query, tenantId, pageSize, continuationToken, cancellationToken));
    }

    /// <summary>Up to <paramref name="max"/> of the tenant's integrations that use a credential (a credential in use cannot be deleted).</summary>
    public async Task<IReadOnlyList<Integration>> UsingCredentialAsync(string tenantId, string credentialId, int max, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = 'integration' AND c.credentialId = @credential ORDER BY c.createdAt")
            .WithParameter("@credential", credentialId);
        return (await _integrations.QueryPageAsync(query, tenantId, max, null, cancellationToken)).Items;
    }

    /// <summary>Every enabled, scheduled integration of every tenant (the scheduler's view), streamed.</summary>
    public IAsyncEnumerable<Integration> ScheduledAsync(CancellationToken cancellationToken) =>
        _integrations.QueryAsync(new QueryDefinition("SELECT * FROM c WHERE c.type = 'integration' AND c.enabled = true AND IS_STRING(c.schedule)"), null, cancellationToken);

    /// <summary>The run state of an integration, created empty on first use.</summary>
    public Task<IntegrationState> GetStateAsync(string tenantId, string integrationId, CancellationToken cancellationToken) =>
        _states.ReadOrCreateAsync(tenantId, IntegrationState.DocumentIdOf(integrationId), () => new IntegrationState { Id = IntegrationState.DocumentIdOf(integrationId), TenantId = tenantId, IntegrationId = integrationId }, cancellationToken);

    /// <summary>Writes the run state at the version it was read at (<see cref="ConcurrencyConflictException"/> when stale).</summary>
    public Task<IntegrationState> ReplaceStateAsync(IntegrationState state, CancellationToken cancellationToken) => _states.ReplaceAsync(state, cancellationToken);
}
