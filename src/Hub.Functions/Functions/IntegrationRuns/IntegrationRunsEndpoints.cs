using System.Security.Claims;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Functions.Runs;
using IntegrationHub.Functions.Security;

namespace IntegrationHub.Functions.Functions.IntegrationRuns;

/// <summary>The <c>IntegrationRuns</c> function: <c>GET /api/v1/integrations/{id}/runs</c>, the run history, newest first.</summary>
public static class IntegrationRunsEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapIntegrationRuns(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/integrations/{id}/runs", ListAsync)
            .RequireAuthorization(Caller.TenantPolicy)
            .WithTags("Runs")
            .WithSummary("An integration's run history, newest first")
            .Produces<PageResponse<RunView>>();
        return endpoints;
    }

    private static async Task<IResult> ListAsync(string id, int? limit, string? continuationToken, ClaimsPrincipal user, IntegrationStore integrations, RunStore runs, CancellationToken cancellationToken)
    {
        if (Paging.Validate(limit) is { } problem)
        {
            return problem;
        }

        if (await integrations.GetAsync(user.TenantId(), id, cancellationToken) is null)
        {
            return ApiProblems.NotFound("Integration", id);
        }

        var page = await runs.ListAsync(user.TenantId(), id, null, limit ?? Paging.DefaultLimit, continuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<RunView>(page.Items.Select(RunView.Of).ToList(), page.ContinuationToken));
    }
}
