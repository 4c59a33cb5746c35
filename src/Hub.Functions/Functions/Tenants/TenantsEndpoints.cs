using System.ComponentModel.DataAnnotations;
using IntegrationHub.Core.Tenants;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Functions.Functions.Tenants;

/// <summary>The <c>Tenants</c> function: the operator creates and lists tenants (admin key).</summary>
public static class TenantsEndpoints
{
    /// <summary>A new tenant.</summary>
    /// <param name="Id">Lower-case letters, digits and '-', 2 to 63 characters; part of every API key of the tenant.</param>
    /// <param name="DisplayName">A human name.</param>
    public sealed record CreateTenantRequest(
        [property: Required, RegularExpression("^[a-z0-9][a-z0-9-]{1,62}$", ErrorMessage = "must be 2-63 lower-case letters, digits or '-', starting with a letter or digit.")] string Id,
        [property: Required, StringLength(200, MinimumLength = 1)] string DisplayName);

    /// <summary>A tenant as the API shows it.</summary>
    public sealed record TenantView(string Id, string DisplayName, DateTimeOffset CreatedAt, bool Disabled);

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapTenants(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/tenants").WithTags("Tenants").RequireAuthorization(Caller.AdminPolicy);
        group.MapPost("/", CreateAsync).Idempotent().Accepts<CreateTenantRequest>("application/json").WithSummary("Create a tenant");
        group.MapGet("/", ListAsync).WithSummary("List tenants");
        group.MapGet("/{tenantId}", GetAsync).WithSummary("Get a tenant");
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(JsonBody<CreateTenantRequest> body, TenantStore tenants, CancellationToken cancellationToken)
    {
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        try
        {
            var tenant = await tenants.CreateAsync(body.Value!.Id, body.Value.DisplayName, cancellationToken);
            return TypedResults.Created($"/api/v1/tenants/{tenant.TenantId}", View(tenant));
        }
        catch (DocumentExistsException)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, $"Tenant '{body.Value!.Id}' already exists.");
        }
    }

    private static async Task<IResult> ListAsync(TenantStore tenants, int? limit, string? continuationToken, CancellationToken cancellationToken)
    {
        if (Paging.Validate(limit) is { } problem)
        {
            return problem;
        }

        var page = await tenants.ListAsync(limit ?? Paging.DefaultLimit, continuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<TenantView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }

    private static async Task<IResult> GetAsync(string tenantId, TenantStore tenants, CancellationToken cancellationToken) =>
        await tenants.GetAsync(tenantId, cancellationToken) is { } tenant ? TypedResults.Ok(View(tenant)) : ApiProblems.NotFound("Tenant", tenantId);

    private static TenantView View(Tenant t) => new(t.TenantId, t.DisplayName, t.CreatedAt, t.Disabled);
}
