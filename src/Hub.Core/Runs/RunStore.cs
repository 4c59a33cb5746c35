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
    public Task<(bool Created, Run Run)> TryCreateAsync(Run run, CancellationToken cancellationToken) => _runs.CreateOrReadAsync(run, cancellationToken);

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

    /// <summary>
    /// Applies <paramref name="change"/> to <paramref name="known"/> (a version this caller read or wrote) and writes it
    /// at that version: one request when nobody wrote the run since; otherwise as <see cref="UpdateAsync(string, string, Func{Run, Run}, CancellationToken)"/>
    /// (read, apply, write). Null when the run does not exist.
    /// </summary>
    public async Task<Run?> UpdateAsync(Run known, Func<Run, Run> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(change);
        if (known.ETag is not null)
        {
            try
            {
                return await _runs.ReplaceAsync(change(known), cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // Written meanwhile (a cancel request, a rate-limit note): apply the change to the fresh version.
            }
        }

        return await UpdateAsync(known.TenantId, known.Id, change, cancellationToken);
    }

    /// <summary>
    /// Reads the run, applies <paramref name="change"/> and writes it at the version read, again on a concurrent
    /// write (a cancel request, a rate-limit note); null when the run does not exist. A change that returns the run it
    /// was given (the same object: nothing to change) writes nothing and returns the run as read.
    /// </summary>
    public async Task<Run?> UpdateAsync(string tenantId, string id, Func<Run, Run> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var attempt = 1; ; attempt++)
        {
            if (await _runs.ReadAsync(tenantId, id, cancellationToken) is not { } run)
            {
                return null;
            }

            var changed = change(run);
            if (ReferenceEquals(changed, run))
            {
                return run;
            }

            try
            {
                return await _runs.ReplaceAsync(changed, cancellationToken);
            }
            catch (ConcurrencyConflictException) when (attempt < 10)
            {
                // Written meanwhile: apply the change to the fresh version.
            }
        }
    }
}
