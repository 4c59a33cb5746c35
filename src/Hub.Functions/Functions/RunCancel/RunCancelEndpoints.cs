using System.Security.Claims;
using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Functions.Runs;
using IntegrationHub.Functions.Security;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Functions.Functions.RunCancel;

/// <summary>The <c>RunCancel</c> function: <c>POST /api/v1/runs/{id}/cancel</c>.</summary>
public static class RunCancelEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapRunCancel(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/runs/{id}/cancel", CancelAsync)
            .RequireAuthorization(Caller.TenantPolicy)
            .WithTags("Runs")
            .WithSummary("Ask a run to stop; it stops at its next checkpoint without moving the cursor past unpublished records")
            .Produces<RunView>(StatusCodes.Status202Accepted);
        return endpoints;
    }

    private static async Task<IResult> CancelAsync(string id, ClaimsPrincipal user, RunStore runs, RunLauncher launcher, RunKicker kicker, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (await runs.GetAsync(user.TenantId(), id, cancellationToken) is not { } run)
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
}
