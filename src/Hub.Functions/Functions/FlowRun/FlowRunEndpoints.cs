using System.Security.Claims;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Functions.Runs;
using IntegrationHub.Functions.Security;

namespace IntegrationHub.Functions.Functions.FlowRun;

/// <summary>The <c>FlowRun</c> function: <c>POST /api/v1/flows/{id}/run</c> starts a flow and answers 202 with the run's status URL.</summary>
public static class FlowRunEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapFlowRun(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/flows/{id}/run", StartAsync)
            .RequireAuthorization(Caller.TenantPolicy)
            .Idempotent()
            .WithTags("Runs")
            .WithSummary("Start a run of a flow; poll the Location for its progress")
            .Produces<RunView>(StatusCodes.Status202Accepted);
        return endpoints;
    }

    private static async Task<IResult> StartAsync(string id, ClaimsPrincipal user, FlowStore flows, RunLauncher launcher, RunKicker kicker, CancellationToken cancellationToken)
    {
        if (await flows.GetAsync(user.TenantId(), id, cancellationToken) is not { } flow)
        {
            return ApiProblems.NotFound("Flow", id);
        }

        var run = await launcher.StartFlowAsync(flow, cancellationToken);
        kicker.Kick(run.TenantId, run.Id);
        return TypedResults.Accepted(RunView.LocationOf(run.Id), RunView.Of(run));
    }
}
