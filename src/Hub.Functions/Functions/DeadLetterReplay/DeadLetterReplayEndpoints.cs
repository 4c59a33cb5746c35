using System.Security.Claims;
using IntegrationHub.Core.Events;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Functions.DeadLetters;
using IntegrationHub.Functions.Security;
using IntegrationHub.Shared.Events;

namespace IntegrationHub.Functions.Functions.DeadLetterReplay;

/// <summary>The <c>DeadLetterReplay</c> function: <c>POST /api/v1/events/dead-letters/{id}/replay</c> publishes a dead letter again.</summary>
public static class DeadLetterReplayEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapDeadLetterReplay(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/events/dead-letters/{id}/replay", ReplayAsync)
            .RequireAuthorization(Caller.TenantPolicy)
            .WithTags("Events")
            .WithSummary("Publish a dead letter again; it is marked replayed once the sink accepts it")
            .Produces<DeadLettersEndpoints.DeadLetterView>();
        return endpoints;
    }

    private static async Task<IResult> ReplayAsync(string id, ClaimsPrincipal user, DeadLetterStore letters, CancellationToken cancellationToken)
    {
        if (await letters.GetAsync(user.TenantId(), id, cancellationToken) is not { } letter)
        {
            return ApiProblems.NotFound("Dead letter", id);
        }

        if (letter.ReplayedAt is not null)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, $"Dead letter '{id}' was already replayed at {letter.ReplayedAt:u}.");
        }

        try
        {
            return TypedResults.Ok(DeadLettersEndpoints.View(await letters.ReplayAsync(letter, cancellationToken)));
        }
        catch (EventPublishException e)
        {
            return ApiProblems.Problem(e.IsTransient ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status422UnprocessableEntity, "The sink refused the event again.", e.Message);
        }
    }
}
