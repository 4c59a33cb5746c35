using System.ComponentModel.DataAnnotations;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Runs.Steps;
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
public sealed class FlowsFunctions(FlowStore flows, StepTypeRegistry steps, TimeProvider time)
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
        var tenantId = request.TenantId();
        var body = await JsonBody<FlowRequest>.ReadRequiredAsync(request);
        if ((body.Problem ?? await ValidateAsync(tenantId, body.Value!, cancellationToken)) is { } problem)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var flow = await flows.CreateAsync(
            new Flow { Id = $"flow-{Guid.NewGuid():N}", TenantId = tenantId, Name = body.Value!.Name, Description = body.Value.Description, Steps = body.Value.Steps, CreatedAt = now, UpdatedAt = now },
            cancellationToken);
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
        CancellationToken cancellationToken) =>
        await flows.GetAsync(request.TenantId(), id, cancellationToken) is { } flow
            ? TypedResults.Ok(View(flow)).WithETag(flow.ETag)
            : ApiProblems.NotFound("Flow", id);

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
        var tenantId = request.TenantId();
        var body = await JsonBody<FlowRequest>.ReadRequiredAsync(request);
        if ((body.Problem ?? await ValidateAsync(tenantId, body.Value!, cancellationToken)) is { } problem)
        {
            return problem;
        }

        if (await flows.GetAsync(tenantId, id, cancellationToken) is not { } flow)
        {
            return ApiProblems.NotFound("Flow", id);
        }

        if (!ETags.Satisfies(request, flow.ETag))
        {
            return ApiProblems.Stale("Flow", id);
        }

        var updated = await flows.ReplaceAsync(flow with { Name = body.Value!.Name, Description = body.Value.Description, Steps = body.Value.Steps, UpdatedAt = time.GetUtcNow() }, cancellationToken);
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
        var tenantId = request.TenantId();
        if (await flows.GetAsync(tenantId, id, cancellationToken) is not { } flow)
        {
            return ApiProblems.NotFound("Flow", id);
        }

        if (!ETags.Satisfies(request, flow.ETag))
        {
            return ApiProblems.Stale("Flow", id);
        }

        await flows.DeleteAsync(tenantId, id, flow.ETag, cancellationToken);
        return TypedResults.NoContent();
    }

    private async Task<IResult?> ValidateAsync(string tenantId, FlowRequest request, CancellationToken cancellationToken)
    {
        var errors = await steps.ValidateAsync(tenantId, request.Steps, cancellationToken);
        return errors.Count == 0 ? null : ApiProblems.Validation(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
    }

    private static FlowView View(Flow f) => new(f.Id, f.Name, f.Description, f.Steps, f.CreatedAt, f.UpdatedAt);
}
