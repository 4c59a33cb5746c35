using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Runs;

/// <summary>
/// A tenant's runs as the API sees them, handled like credentials and integrations: another tenant's run (or
/// integration, or flow) does not exist (<see cref="ResourceNotFoundException"/>), a run that cannot start or has
/// already ended is a <see cref="ResourceConflictException"/>. Driving a run is the orchestration's job
/// (<see cref="IRunSteps"/>); this is what a caller may ask of it.
/// </summary>
public sealed class RunService(RunStore runs, RunLauncher launcher, IntegrationService integrations, FlowService flows)
{
    /// <summary>The resource name in messages.</summary>
    public const string Kind = "Run";

    private static readonly ResourceRefusals Refuse = new(Kind);

    /// <summary>How often a cancel request is written again when the run checkpoints in between (each write is at the version read).</summary>
    public const int CancelAttempts = 5;

    /// <summary>Where the API shows a run (<c>/api/v1/runs/{id}</c>): the <c>Location</c> of a started run, and what refusals point to.</summary>
    public static string LocationOf(string runId) => $"/api/v1/runs/{runId}";

    /// <summary>The stored run (its read model; the orchestration may be further along).</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such run.</exception>
    public async Task<Run> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        await Refuse.FoundAsync(runs.GetAsync(tenantId, id, cancellationToken), id);

    /// <summary>A page of an integration's runs, newest first.</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such integration.</exception>
    /// <exception cref="ValidationFailedException">On <c>continuationToken</c>.</exception>
    public async Task<Page<Run>> ListForIntegrationAsync(string tenantId, string integrationId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        await integrations.GetAsync(tenantId, integrationId, cancellationToken);
        return await runs.ListAsync(tenantId, integrationId, null, limit, continuationToken, cancellationToken);
    }

    /// <summary>Creates a manual run of an integration's sync (the caller starts its orchestration).</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such integration.</exception>
    /// <exception cref="ResourceConflictException">The integration is disabled, or another of its runs is in progress.</exception>
    public async Task<Run> StartIntegrationRunAsync(string tenantId, string integrationId, CancellationToken cancellationToken)
    {
        var integration = await integrations.GetAsync(tenantId, integrationId, cancellationToken);
        try
        {
            return await launcher.StartSyncAsync(integration, cancellationToken);
        }
        catch (RunNotStartedException e)
        {
            throw new ResourceConflictException(e.Message, e.ActiveRunId is null ? null : $"Follow it at {LocationOf(e.ActiveRunId)}.", e);
        }
    }

    /// <summary>Creates a manual run of a flow (the caller starts its orchestration).</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such flow.</exception>
    /// <exception cref="ResourceConflictException">Another run of the flow is in progress.</exception>
    public async Task<Run> StartFlowRunAsync(string tenantId, string flowId, CancellationToken cancellationToken) =>
        await launcher.StartFlowAsync(await flows.GetAsync(tenantId, flowId, cancellationToken), cancellationToken);

    /// <summary>Records that the run is to stop (the caller tells its orchestration); returns the run as recorded.</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such run.</exception>
    /// <exception cref="ResourceConflictException">The run has already ended.</exception>
    /// <exception cref="RetryLaterException">The run checkpointed between every read and write of <see cref="CancelAttempts"/> attempts.</exception>
    public async Task<Run> RequestCancelAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < CancelAttempts; attempt++)
        {
            var run = await GetAsync(tenantId, id, cancellationToken);
            if (run.IsTerminal)
            {
                throw new ResourceConflictException($"Run '{id}' has already ended ({run.Status.ToString().ToLowerInvariant()}).");
            }

            try
            {
                return await launcher.RequestCancelAsync(run, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // The run checkpointed meanwhile; ask again on the fresh version.
            }
        }

        throw new RetryLaterException("The run is changing too fast to record the request; retry.");
    }
}
