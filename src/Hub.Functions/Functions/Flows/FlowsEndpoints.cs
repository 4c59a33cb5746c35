using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Runs.Steps;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;

namespace IntegrationHub.Functions.Functions.Flows;

/// <summary>The <c>Flows</c> function: create, list, read, replace and delete flows; steps are validated on save.</summary>
public static class FlowsEndpoints
{
    /// <summary>A flow definition; <paramref name="Description"/> is optional.</summary>
    public sealed record FlowRequest(
        [property: Required, StringLength(200, MinimumLength = 1)] string Name,
        [property: Required] IReadOnlyList<FlowStep> Steps,
        [property: StringLength(2000)] string? Description = null);

    /// <summary>A flow as the API shows it.</summary>
    public sealed record FlowView(string Id, string Name, string? Description, IReadOnlyList<FlowStep> Steps, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapFlows(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/flows").WithTags("Flows").RequireAuthorization(Caller.TenantPolicy);
        group.MapPost("/", CreateAsync).Idempotent().Accepts<FlowRequest>("application/json").Produces<FlowView>(StatusCodes.Status201Created).WithSummary("Create a flow");
        group.MapGet("/", ListAsync).Produces<PageResponse<FlowView>>().WithSummary("List flows");
        group.MapGet("/{id}", GetAsync).Produces<FlowView>().WithSummary("Get a flow");
        group.MapPut("/{id}", ReplaceAsync).Accepts<FlowRequest>("application/json").Produces<FlowView>().WithSummary("Replace a flow (If-Match honoured)");
        group.MapDelete("/{id}", DeleteAsync).WithSummary("Delete a flow (If-Match honoured)");
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(JsonBody<FlowRequest> body, ClaimsPrincipal user, FlowStore flows, StepTypeRegistry steps, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if ((body.Problem ?? await ValidateAsync(user.TenantId(), body.Value!, steps, cancellationToken)) is { } problem)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var flow = await flows.CreateAsync(
            new Flow { Id = $"flow-{Guid.NewGuid():N}", TenantId = user.TenantId(), Name = body.Value!.Name, Description = body.Value.Description, Steps = body.Value.Steps, CreatedAt = now, UpdatedAt = now },
            cancellationToken);
        http.Response.Headers.ETag = ETags.ToHeader(flow.ETag);
        return TypedResults.Created($"/api/v1/flows/{flow.Id}", View(flow));
    }

    private static async Task<IResult> ListAsync(int? limit, string? continuationToken, ClaimsPrincipal user, FlowStore flows, CancellationToken cancellationToken)
    {
        if (Paging.Validate(limit) is { } problem)
        {
            return problem;
        }

        var page = await flows.ListAsync(user.TenantId(), limit ?? Paging.DefaultLimit, continuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<FlowView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, FlowStore flows, HttpContext http, CancellationToken cancellationToken)
    {
        if (await flows.GetAsync(user.TenantId(), id, cancellationToken) is not { } flow)
        {
            return ApiProblems.NotFound("Flow", id);
        }

        http.Response.Headers.ETag = ETags.ToHeader(flow.ETag);
        return TypedResults.Ok(View(flow));
    }

    private static async Task<IResult> ReplaceAsync(string id, JsonBody<FlowRequest> body, ClaimsPrincipal user, FlowStore flows, StepTypeRegistry steps, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if ((body.Problem ?? await ValidateAsync(user.TenantId(), body.Value!, steps, cancellationToken)) is { } problem)
        {
            return problem;
        }

        if (await flows.GetAsync(user.TenantId(), id, cancellationToken) is not { } flow)
        {
            return ApiProblems.NotFound("Flow", id);
        }

        if (!ETags.Satisfies(http.Request, flow.ETag))
        {
            return ApiProblems.Stale("Flow", id);
        }

        var updated = await flows.ReplaceAsync(flow with { Name = body.Value!.Name, Description = body.Value.Description, Steps = body.Value.Steps, UpdatedAt = time.GetUtcNow() }, cancellationToken);
        http.Response.Headers.ETag = ETags.ToHeader(updated.ETag);
        return TypedResults.Ok(View(updated));
    }

    private static async Task<IResult> DeleteAsync(string id, ClaimsPrincipal user, FlowStore flows, HttpContext http, CancellationToken cancellationToken)
    {
        if (await flows.GetAsync(user.TenantId(), id, cancellationToken) is not { } flow)
        {
            return ApiProblems.NotFound("Flow", id);
        }

        if (!ETags.Satisfies(http.Request, flow.ETag))
        {
            return ApiProblems.Stale("Flow", id);
        }

        await flows.DeleteAsync(user.TenantId(), id, flow.ETag, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult?> ValidateAsync(string tenantId, FlowRequest request, StepTypeRegistry steps, CancellationToken cancellationToken)
    {
        var errors = await steps.ValidateAsync(tenantId, request.Steps, cancellationToken);
        return errors.Count == 0 ? null : ApiProblems.Validation(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
    }

    private static FlowView View(Flow f) => new(f.Id, f.Name, f.Description, f.Steps, f.CreatedAt, f.UpdatedAt);
}
