using IntegrationHub.Core.Events;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using IntegrationHub.Shared.Events;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.DeadLetters;

/// <summary>
/// Dead letters under <c>/api/v1/events/dead-letters</c>: events the sink refused for good, with the
/// reason, and their replay once the cause is fixed.
/// </summary>
[Requires(Access.Tenant)]
[Tags("Events")]
public sealed class DeadLettersFunctions(DeadLetterService letters)
{
    /// <summary>A dead letter as listed.</summary>
    public sealed record DeadLetterView(string Id, string Topic, string Error, string? IntegrationId, string? RunId, DateTimeOffset FailedAt, DateTimeOffset? ReplayedAt, CloudEvent Event);

    /// <summary><c>GET /api/v1/events/dead-letters</c>: a page; <c>?includeReplayed=true</c> shows replayed ones too.</summary>
    [Function("ListDeadLetters")]
    [Paged]
    [QueryParameter("includeReplayed", typeof(bool), "Also list dead letters already replayed.")]
    [EndpointSummary("Events that could not be published, with the reason; ?includeReplayed=true shows replayed ones too")]
    [ProducesResponseType<PageResponse<DeadLetterView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/events/dead-letters")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (Paging.Read(request, out var problem) is not { } paging)
        {
            return problem!;
        }

        var includeReplayed = Query.Text(request, "includeReplayed");
        if (includeReplayed is not null && !bool.TryParse(includeReplayed, out _))
        {
            return ApiProblems.Validation("includeReplayed", "must be true or false.");
        }

        var page = await letters.ListAsync(request.TenantId(), includeReplayed is not null && bool.Parse(includeReplayed), paging.Limit, paging.ContinuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<DeadLetterView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }

    /// <summary><c>POST /api/v1/events/dead-letters/{id}/replay</c>: publishes it again; 409 when already replayed, 503/422 when the sink refuses again.</summary>
    [Function("ReplayDeadLetter")]
    [EndpointSummary("Publish a dead letter again; it is marked replayed once the sink accepts it")]
    [ProducesResponseType<DeadLetterView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> ReplayAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/events/dead-letters/{id}/replay")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(View(await letters.ReplayAsync(request.TenantId(), id, cancellationToken)));

    private static DeadLetterView View(DeadLetter d) => new(d.Id, d.Topic, d.Error, d.IntegrationId, d.RunId, d.FailedAt, d.ReplayedAt, d.Event.Event);
}
