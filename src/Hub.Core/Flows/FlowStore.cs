using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Core.Flows;

/// <summary>Flows and their run state (<see cref="FlowState"/>) in the <c>flows</c> container (partition <c>/tenantId</c>).</summary>
public sealed class FlowStore(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("flows");

    private readonly DocumentSet<Flow> _flows = cosmos.Documents<Flow>(Container.Name);
    private readonly DocumentSet<FlowState> _states = cosmos.Documents<FlowState>(Container.Name);

    /// <summary>A flow, or null.</summary>
    public async Task<Flow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        id.Contains(':', StringComparison.Ordinal) ? null : await _flows.ReadAsync(tenantId, id, cancellationToken);

    /// <summary>Creates a flow.</summary>
    public Task<Flow> CreateAsync(Flow flow, CancellationToken cancellationToken) => _flows.CreateAsync(flow, cancellationToken);

    /// <summary>Replaces a flow at the version it was read at.</summary>
    public Task<Flow> ReplaceAsync(Flow flow, CancellationToken cancellationToken) => _flows.ReplaceAsync(flow, cancellationToken);

    /// <summary>Deletes a flow and its run state.</summary>
    public async Task<bool> DeleteAsync(string tenantId, string id, string? etag, CancellationToken cancellationToken)
    {
        var deleted = await _flows.DeleteAsync(tenantId, id, etag, cancellationToken);
        if (deleted)
        {
            await _states.DeleteAsync(tenantId, FlowState.DocumentIdOf(id), null, cancellationToken);
        }

        return deleted;
    }

    /// <summary>A page of flows, newest first.</summary>
    public Task<Page<Flow>> ListAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        StoreRefusals.Translate(_flows.QueryPageAsync(new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND NOT IS_DEFINED(c.type) ORDER BY c.createdAt DESC"), tenantId, pageSize, continuationToken, cancellationToken));

    /// <summary>The run state of a flow, created empty on first use.</summary>
    public Task<FlowState> GetStateAsync(string tenantId, string flowId, CancellationToken cancellationToken) =>
        _states.ReadOrCreateAsync(tenantId, FlowState.DocumentIdOf(flowId), () => new FlowState { Id = FlowState.DocumentIdOf(flowId), TenantId = tenantId, FlowId = flowId }, cancellationToken);

    /// <summary>Writes the run state at the version it was read at (<see cref="ConcurrencyConflictException"/> when stale).</summary>
    public Task<FlowState> ReplaceStateAsync(FlowState state, CancellationToken cancellationToken) => _states.ReplaceAsync(state, cancellationToken);
}
