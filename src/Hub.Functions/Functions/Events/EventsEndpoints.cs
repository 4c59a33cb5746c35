using System.Security.Claims;
using IntegrationHub.Core.Events;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using IntegrationHub.Shared.Events;

namespace IntegrationHub.Functions.Functions.Events;

/// <summary>The <c>Events</c> function: <c>GET /api/v1/events?integrationId=&amp;runId=</c> pages through the embedded event log.</summary>
public static class EventsEndpoints
{
    /// <summary>An event as listed.</summary>
    public sealed record EventView(string Id, string Topic, long SequenceId, string Key, DateTimeOffset PublishedAt, CloudEvent Event);

    /// <summary>A page of events, and which sink is live: with <c>pulsar</c>, new events go to Pulsar, not to this log.</summary>
    public sealed record EventPage(string Sink, IReadOnlyList<EventView> Items, string? ContinuationToken);

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/events", ListAsync)
            .RequireAuthorization(Caller.TenantPolicy)
            .WithTags("Events")
            .WithSummary("Events in the embedded Cosmos event log, in publication order")
            .Produces<EventPage>();
        return endpoints;
    }

    private static async Task<IResult> ListAsync(string? integrationId, string? runId, int? limit, string? continuationToken, ClaimsPrincipal user, CosmosEventLog log, IEventSink sink, CancellationToken cancellationToken)
    {
        if (Paging.Validate(limit) is { } problem)
        {
            return problem;
        }

        var page = await log.ListAsync(user.TenantId(), integrationId, runId, limit ?? Paging.DefaultLimit, continuationToken, cancellationToken);
        return TypedResults.Ok(new EventPage(sink.Name, page.Items.Select(e => new EventView(e.Id, e.Topic, e.SequenceId, e.Key, e.PublishedAt, e.Event)).ToList(), page.ContinuationToken));
    }
}
