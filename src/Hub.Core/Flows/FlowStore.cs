using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Core.Flows;

/// <summary>Flows in the <c>flows</c> container (partition <c>/tenantId</c>).</summary>
public sealed class FlowStore(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("flows");

    private readonly DocumentSet<Flow> _flows = cosmos.Documents<Flow>(Container.Name);

    /// <summary>A flow, or null.</summary>
    public Task<Flow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) => _flows.ReadAsync(tenantId, id, cancellationToken);

    /// <summary>Creates a flow.</summary>
    public Task<Flow> CreateAsync(Flow flow, CancellationToken cancellationToken) => _flows.CreateAsync(flow, cancellationToken);

    /// <summary>Replaces a flow at the version it was read at.</summary>
    public Task<Flow> ReplaceAsync(Flow flow, CancellationToken cancellationToken) => _flows.ReplaceAsync(flow, cancellationToken);

    /// <summary>Deletes a flow.</summary>
    public Task<bool> DeleteAsync(string tenantId, string id, string? etag, CancellationToken cancellationToken) => _flows.DeleteAsync(tenantId, id, etag, cancellationToken);

    /// <summary>A page of flows, newest first.</summary>
    public Task<Page<Flow>> ListAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        StoreRefusals.Translate(_flows.QueryPageAsync(new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.createdAt DESC"), tenantId, pageSize, continuationToken, cancellationToken));
}
