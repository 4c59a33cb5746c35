using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Core.Runs;

/// <summary>Runs in the <c>runs</c> container (partition <c>/tenantId</c>).</summary>
public sealed class RunStore(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("runs");

    private readonly DocumentSet<Run> _runs = cosmos.Documents<Run>(Container.Name);

    /// <summary>A run, or null (also for another tenant's id).</summary>
    public Task<Run?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) => _runs.ReadAsync(tenantId, id, cancellationToken);

    /// <summary>Creates a run; false with the existing one when the id is taken (a schedule slot already started).</summary>
    public async Task<(bool Created, Run Run)> TryCreateAsync(Run run, CancellationToken cancellationToken)
    {
        try
        {
            return (true, await _runs.CreateAsync(run, cancellationToken));
        }
        catch (DocumentExistsException)
        {
            return (false, (await _runs.ReadAsync(run.TenantId, run.Id, cancellationToken))!);
        }
    }

    /// <summary>Writes a run at the version it was read at (<see cref="ConcurrencyConflictException"/> when stale).</summary>
    public Task<Run> ReplaceAsync(Run run, CancellationToken cancellationToken) => _runs.ReplaceAsync(run, cancellationToken);

    /// <summary>A page of an integration's (or a flow's) runs, newest first.</summary>
    public Task<Page<Run>> ListAsync(string tenantId, string? integrationId, string? flowId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var text = "SELECT * FROM c WHERE c.tenantId = @tenantId"
            + (integrationId is null ? string.Empty : " AND c.integrationId = @integration")
            + (flowId is null ? string.Empty : " AND c.flowId = @flow")
            + " ORDER BY c.createdAt DESC";
        var query = new QueryDefinition(text);
        if (integrationId is not null)
        {
            query = query.WithParameter("@integration", integrationId);
        }

        if (flowId is not null)
        {
            query = query.WithParameter("@flow", flowId);
        }

        return StoreRefusals.Translate(_runs.QueryPageAsync(query, tenantId, pageSize, continuationToken, cancellationToken));
    }

    /// <summary>Runs of every tenant that are due to be advanced (not ended, due now), oldest due first.</summary>
    public async Task<IReadOnlyList<Run>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition(
                "SELECT TOP @max * FROM c WHERE c.status IN ('pending', 'running', 'waiting', 'rate_limited', 'stalled') AND c.dueAt <= @now ORDER BY c.dueAt")
            .WithParameter("@max", max)
            .WithParameter("@now", now);
        var due = new List<Run>();
        await foreach (var run in _runs.QueryAsync(query, null, cancellationToken))
        {
            due.Add(run);
        }

        return due;
    }
}
