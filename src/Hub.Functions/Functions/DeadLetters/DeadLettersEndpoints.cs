using System.Security.Claims;
using IntegrationHub.Core.Events;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using IntegrationHub.Shared.Events;

namespace IntegrationHub.Functions.Functions.DeadLetters;

/// <summary>The <c>DeadLetters</c> function: <c>GET /api/v1/events/dead-letters</c> lists events the sink refused for good.</summary>
public static class DeadLettersEndpoints
{
    /// <summary>A dead letter as listed.</summary>
    public sealed record DeadLetterView(string Id, string Topic, string Error, string? IntegrationId, string? RunId, DateTimeOffset FailedAt, DateTimeOffset? ReplayedAt, CloudEvent Event);

    /// <summary>The view of a dead letter.</summary>
    public static DeadLetterView View(DeadLetter d) => new(d.Id, d.Topic, d.Error, d.IntegrationId, d.RunId, d.FailedAt, d.ReplayedAt, d.Event.Event);

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapDeadLetters(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/events/dead-letters", ListAsync)
            .RequireAuthorization(Caller.TenantPolicy)
            .WithTags("Events")
            .WithSummary("Events that could not be published, with the reason; ?includeReplayed=true shows replayed ones too")
            .Produces<PageResponse<DeadLetterView>>();
        return endpoints;
    }

    private static async Task<IResult> ListAsync(bool? includeReplayed, int? limit, string? continuationToken, ClaimsPrincipal user, DeadLetterStore letters, CancellationToken cancellationToken)
    {
        if (Paging.Validate(limit) is { } problem)
        {
            return problem;
        }

        var page = await letters.ListAsync(user.TenantId(), includeReplayed ?? false, limit ?? Paging.DefaultLimit, continuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<DeadLetterView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }
}
