using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Middleware;
using IntegrationHub.Functions.Security;
using IntegrationHub.Shared.Cosmos;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.Runs;

/// <summary>
/// Runs: started on an integration (<c>POST /api/v1/integrations/{id}/run</c>) or a flow
/// (<c>POST /api/v1/flows/{id}/run</c>) with 202 + <c>Location</c> (the asynchronous request-reply
/// pattern), polled at <c>GET /api/v1/runs/{id}</c> (with <c>Retry-After</c> while running), listed per
/// integration, and cancelled.
/// </summary>
[Requires(Access.Tenant)]
[Tags("Runs")]
public sealed class RunsFunctions(RunStore runs, RunLauncher launcher, RunKicker kicker, IntegrationStore integrations, FlowStore flows)
{
    /// <summary><c>GET /api/v1/runs/{id}</c>: status, per-step state and progress.</summary>
    [Function("GetRun")]
    [EndpointSummary("A run's status, per-step state and progress")]
    [ProducesResponseType<RunView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/runs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(request.TenantId(), id, cancellationToken) is not { } run)
        {
            return ApiProblems.NotFound("Run", id);
        }

        if (!run.IsTerminal)
        {
            // The asynchronous pattern's hint of when to look again (seconds).
            request.HttpContext.Response.Headers.RetryAfter = "2";
        }

        return TypedResults.Ok(RunView.Of(run));
    }

    /// <summary><c>POST /api/v1/runs/{id}/cancel</c>: 202; the run stops at its next checkpoint. 409 when it has already ended.</summary>
    [Function("CancelRun")]
    [EndpointSummary("Ask a run to stop; it stops at its next checkpoint without moving the cursor past unpublished records")]
    [ProducesResponseType<RunView>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<IResult> CancelAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/runs/{id}/cancel")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (await runs.GetAsync(request.TenantId(), id, cancellationToken) is not { } run)
            {
                return ApiProblems.NotFound("Run", id);
            }

            if (run.IsTerminal)
            {
                return ApiProblems.Problem(StatusCodes.Status409Conflict, $"Run '{id}' has already ended ({run.Status.ToString().ToLowerInvariant()}).");
            }

            try
            {
                var requested = await launcher.RequestCancelAsync(run, cancellationToken);
                kicker.Kick(requested.TenantId, requested.Id);
                return TypedResults.Accepted(RunView.LocationOf(id), RunView.Of(requested));
            }
            catch (ConcurrencyConflictException)
            {
                // The run checkpointed meanwhile; ask again on the fresh version.
            }
        }

        return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "The run is changing too fast to record the request; retry.");
    }

    /// <summary><c>POST /api/v1/integrations/{id}/run</c>: 202 with the run; 409 naming the running run when one is in flight.</summary>
    [Function("StartIntegrationRun")]
    [Idempotent]
    [EndpointSummary("Start a sync now; poll the Location for its progress")]
    [ProducesResponseType<RunView>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<IResult> StartIntegrationRunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/integrations/{id}/run")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (await integrations.GetAsync(request.TenantId(), id, cancellationToken) is not { } integration)
        {
            return ApiProblems.NotFound("Integration", id);
        }

        try
        {
            var run = await launcher.StartSyncAsync(integration, cancellationToken);
            kicker.Kick(run.TenantId, run.Id);
            return TypedResults.Accepted(RunView.LocationOf(run.Id), RunView.Of(run));
        }
        catch (RunNotStartedException e)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, e.Message, e.ActiveRunId is null ? null : $"Follow it at {RunView.LocationOf(e.ActiveRunId)}.");
        }
    }

    /// <summary><c>GET /api/v1/integrations/{id}/runs</c>: the integration's run history, newest first.</summary>
    [Function("ListIntegrationRuns")]
    [Paged]
    [EndpointSummary("An integration's run history, newest first")]
    [ProducesResponseType<PageResponse<RunView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> ListIntegrationRunsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/integrations/{id}/runs")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (Paging.Read(request, out var problem) is not { } paging)
        {
            return problem!;
        }

        if (await integrations.GetAsync(request.TenantId(), id, cancellationToken) is null)
        {
            return ApiProblems.NotFound("Integration", id);
        }

        var page = await runs.ListAsync(request.TenantId(), id, null, paging.Limit, paging.ContinuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<RunView>(page.Items.Select(RunView.Of).ToList(), page.ContinuationToken));
    }

    /// <summary><c>POST /api/v1/flows/{id}/run</c>: 202 with the run.</summary>
    [Function("StartFlowRun")]
    [Idempotent]
    [EndpointSummary("Start a run of a flow; poll the Location for its progress")]
    [ProducesResponseType<RunView>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> StartFlowRunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/flows/{id}/run")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (await flows.GetAsync(request.TenantId(), id, cancellationToken) is not { } flow)
        {
            return ApiProblems.NotFound("Flow", id);
        }

        var run = await launcher.StartFlowAsync(flow, cancellationToken);
        kicker.Kick(run.TenantId, run.Id);
        return TypedResults.Accepted(RunView.LocationOf(run.Id), RunView.Of(run));
    }
}
