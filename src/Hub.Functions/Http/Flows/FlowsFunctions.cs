using System.ComponentModel.DataAnnotations;
using IntegrationHub.Core.Flows;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Middleware;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.Flows;

/// <summary>
/// A tenant's flows under <c>/api/v1/flows</c>: multi-step definitions (read → transform → n8n → Spark →
/// publish); every step is validated by its step type on save, and every error answered at once by field
/// (<c>steps[2].settings.workflowId</c>).
/// </summary>
[Requires(Access.Tenant)]
[Tags("Flows")]
public sealed class FlowsFunctions(FlowService flows)
{
    /// <summary>A flow definition; <paramref name="Description"/> is optional.</summary>
    public sealed record FlowRequest(
        [property: Required, StringLength(200, MinimumLength = 1)] string Name,
        [property: Required] IReadOnlyList<FlowStep> Steps,
        [property: StringLength(2000)] string? Description = null);

    /// <summary>A flow as the API shows it.</summary>
    public sealed record FlowView(string Id, string Name, string? Description, IReadOnlyList<FlowStep> Steps, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <summary><c>POST /api/v1/flows</c>: 201 with the flow and its ETag.</summary>
    [Function("CreateFlow")]
    [Idempotent]
    [EndpointSummary("Create a flow")]
    [Consumes(typeof(FlowRequest), "application/json")]
    [ProducesResponseType<FlowView>(StatusCodes.Status201Created)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<IResult> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/flows")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<FlowRequest>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var flow = await flows.CreateAsync(request.TenantId(), Definition(body.Value!), cancellationToken);
        return TypedResults.Created($"/api/v1/flows/{flow.Id}", View(flow)).WithETag(flow.ETag);
    }

    /// <summary><c>GET /api/v1/flows</c>: a page of the tenant's flows.</summary>
    [Function("ListFlows")]
    [Paged]
    [EndpointSummary("List flows")]
    [ProducesResponseType<PageResponse<FlowView>>(StatusCodes.Status200OK)]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/flows")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (Paging.Read(request, out var problem) is not { } paging)
        {
            return problem!;
        }

        var page = await flows.ListAsync(request.TenantId(), paging.Limit, paging.ContinuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<FlowView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }

    /// <summary><c>GET /api/v1/flows/{id}</c>: the flow and its ETag.</summary>
    [Function("GetFlow")]
    [EndpointSummary("Get a flow")]
    [ProducesResponseType<FlowView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/flows/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var flow = await flows.GetAsync(request.TenantId(), id, cancellationToken);
        return TypedResults.Ok(View(flow)).WithETag(flow.ETag);
    }

    /// <summary><c>PUT /api/v1/flows/{id}</c>: replaces the definition; <c>If-Match</c> honoured.</summary>
    [Function("ReplaceFlow")]
    [EndpointSummary("Replace a flow (If-Match honoured)")]
    [Consumes(typeof(FlowRequest), "application/json")]
    [ProducesResponseType<FlowView>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    public async Task<IResult> ReplaceAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/flows/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<FlowRequest>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var updated = await flows.ReplaceAsync(request.TenantId(), id, Definition(body.Value!), ETags.IfMatch(request), cancellationToken);
        return TypedResults.Ok(View(updated)).WithETag(updated.ETag);
    }

    /// <summary><c>DELETE /api/v1/flows/{id}</c>: 204; <c>If-Match</c> honoured.</summary>
    [Function("DeleteFlow")]
    [EndpointSummary("Delete a flow (If-Match honoured)")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    public async Task<IResult> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/flows/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        await flows.DeleteAsync(request.TenantId(), id, ETags.IfMatch(request), cancellationToken);
        return TypedResults.NoContent();
    }

    private static FlowDefinition Definition(FlowRequest r) => new(r.Name, r.Steps, r.Description);

    private static FlowView View(Flow f) => new(f.Id, f.Name, f.Description, f.Steps, f.CreatedAt, f.UpdatedAt);
}
