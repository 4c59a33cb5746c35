using System.Security.Claims;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Functions.Runs;
using IntegrationHub.Functions.Security;

namespace IntegrationHub.Functions.Functions.IntegrationRun;

/// <summary>The <c>IntegrationRun</c> function: <c>POST /api/v1/integrations/{id}/run</c> starts a sync and answers 202 with the run's status URL.</summary>
public static class IntegrationRunEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapIntegrationRun(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/integrations/{id}/run", StartAsync)
            .RequireAuthorization(Caller.TenantPolicy)
            .Idempotent()
            .WithTags("Runs")
            .WithSummary("Start a sync now; poll the Location for its progress")
            .Produces<RunView>(StatusCodes.Status202Accepted);
        return endpoints;
    }

    private static async Task<IResult> StartAsync(string id, ClaimsPrincipal user, IntegrationStore integrations, RunLauncher launcher, RunKicker kicker, CancellationToken cancellationToken)
    {
        if (await integrations.GetAsync(user.TenantId(), id, cancellationToken) is not { } integration)
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
}
