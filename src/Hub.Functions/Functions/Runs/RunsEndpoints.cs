using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using System.Security.Claims;

namespace IntegrationHub.Functions.Functions.Runs;

/// <summary>The <c>Runs</c> function: <c>GET /api/v1/runs/{id}</c>, the status URL of the 202 pattern.</summary>
public static class RunsEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapRuns(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/runs/{id}", GetAsync)
            .RequireAuthorization(Caller.TenantPolicy)
            .WithTags("Runs")
            .WithSummary("A run's status, per-step state and progress")
            .Produces<RunView>();
        return endpoints;
    }

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, RunStore runs, HttpContext http, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(user.TenantId(), id, cancellationToken) is not { } run)
        {
            return ApiProblems.NotFound("Run", id);
        }

        if (!run.IsTerminal)
        {
            // The async pattern's hint of when to look again.
            http.Response.Headers.RetryAfter = "2";
        }

        return TypedResults.Ok(RunView.Of(run));
    }
}
