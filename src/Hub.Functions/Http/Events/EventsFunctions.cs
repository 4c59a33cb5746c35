using IntegrationHub.Core.Events;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using IntegrationHub.Shared.Events;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.Events;

/// <summary><c>GET /api/v1/events?integrationId=&amp;runId=</c>: pages through the embedded event log, in publication order.</summary>
[Requires(Access.Tenant)]
[Tags("Events")]
public sealed class EventsFunctions(CosmosEventLog log, IEventSink sink)
{
    /// <summary>An event as listed: its topic, sequence id (Pulsar deduplication), key and the CloudEvent.</summary>
    public sealed record EventView(string Id, string Topic, long SequenceId, string Key, DateTimeOffset PublishedAt, CloudEvent Event);

    /// <summary>A page of events, and which sink is live: with <c>pulsar</c>, new events go to Pulsar, not to this log.</summary>
    public sealed record EventPage(string Sink, IReadOnlyList<EventView> Items, string? ContinuationToken);

    /// <summary>200 with a page; filters by <c>integrationId</c> and <c>runId</c>.</summary>
    [Function("ListEvents")]
    [Paged]
    [QueryParameter("integrationId", typeof(string), "Only events of this integration.")]
    [QueryParameter("runId", typeof(string), "Only events of this run.")]
    [EndpointSummary("Events in the embedded Cosmos event log, in publication order (?integrationId=, ?runId=, ?limit=, ?continuationToken=)")]
    [ProducesResponseType<EventPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/events")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (Paging.Read(request, out var problem) is not { } paging)
        {
            return problem!;
        }

        var page = await log.ListAsync(request.TenantId(), Query.Text(request, "integrationId"), Query.Text(request, "runId"), paging.Limit, paging.ContinuationToken, cancellationToken);
        return TypedResults.Ok(new EventPage(sink.Name, page.Items.Select(e => new EventView(e.Id, e.Topic, e.SequenceId, e.Key, e.PublishedAt, e.Event)).ToList(), page.ContinuationToken));
    }
}
