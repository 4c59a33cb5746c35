using System.ComponentModel.DataAnnotations;
using IntegrationHub.Core.Tenants;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Middleware;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.Tenants;

/// <summary>
/// Tenants and their API keys under <c>/api/v1/tenants</c>: the operator (admin key) creates and lists
/// tenants and issues, lists and revokes their keys. A key is shown once, when it is issued; only its
/// hash is stored.
/// </summary>
[Requires(Access.Admin)]
[Tags("Tenants")]
public sealed class TenantsFunctions(TenantService tenants)
{
    /// <summary>A new tenant.</summary>
    /// <param name="Id">Lower-case letters, digits and '-', 2 to 63 characters; part of every API key of the tenant.</param>
    /// <param name="DisplayName">A human name.</param>
    public sealed record CreateTenantRequest(
        [property: Required, RegularExpression(TenantService.IdPattern, ErrorMessage = TenantService.IdRule)] string Id,
        [property: Required, StringLength(TenantService.MaxNameLength, MinimumLength = 1)] string DisplayName);

    /// <summary>A tenant as the API shows it.</summary>
    public sealed record TenantView(string Id, string DisplayName, DateTimeOffset CreatedAt, bool Disabled);

    /// <summary>A new key.</summary>
    /// <param name="Name">What the key is for, e.g. <c>ci</c>.</param>
    public sealed record CreateApiKeyRequest([property: Required, StringLength(TenantService.MaxNameLength, MinimumLength = 1)] string Name);

    /// <summary>A key as listed: never the key or its hash.</summary>
    public sealed record ApiKeyView(string KeyId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

    /// <summary>A key just created: the only time <paramref name="Key"/> (<c>ihk_{tenant}_{keyId}_{secret}</c>) is shown.</summary>
    public sealed record CreatedApiKey(string KeyId, string Name, DateTimeOffset CreatedAt, string Key);

    /// <summary><c>POST /api/v1/tenants</c>: 201, or 409 when the id is taken.</summary>
    [Function("CreateTenant")]
    [Idempotent]
    [EndpointSummary("Create a tenant")]
    [Consumes(typeof(CreateTenantRequest), "application/json")]
    [ProducesResponseType<TenantView>(StatusCodes.Status201Created)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<IResult> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/tenants")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<CreateTenantRequest>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var tenant = await tenants.CreateAsync(body.Value!.Id, body.Value.DisplayName, cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenant.TenantId}", View(tenant));
    }

    /// <summary><c>GET /api/v1/tenants</c>: a page of tenants.</summary>
    [Function("ListTenants")]
    [Paged]
    [EndpointSummary("List tenants")]
    [ProducesResponseType<PageResponse<TenantView>>(StatusCodes.Status200OK)]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/tenants")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (Paging.Read(request, out var problem) is not { } paging)
        {
            return problem!;
        }

        var page = await tenants.ListAsync(paging.Limit, paging.ContinuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<TenantView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }

    /// <summary><c>GET /api/v1/tenants/{tenantId}</c>.</summary>
    [Function("GetTenant")]
    [EndpointSummary("Get a tenant")]
    [ProducesResponseType<TenantView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/tenants/{tenantId}")] HttpRequest request,
        string tenantId,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(View(await tenants.GetAsync(tenantId, cancellationToken)));

    /// <summary><c>POST /api/v1/tenants/{tenantId}/api-keys</c>: 201 with the key, shown this once.</summary>
    [Function("CreateApiKey")]
    [Idempotent]
    [EndpointSummary("Issue an API key (shown once)")]
    [Consumes(typeof(CreateApiKeyRequest), "application/json")]
    [ProducesResponseType<CreatedApiKey>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> CreateKeyAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/tenants/{tenantId}/api-keys")] HttpRequest request,
        string tenantId,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<CreateApiKeyRequest>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var (stored, key) = await tenants.CreateKeyAsync(tenantId, body.Value!.Name, cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/api-keys/{stored.KeyId}", new CreatedApiKey(stored.KeyId, stored.Name, stored.CreatedAt, key));
    }

    /// <summary><c>GET /api/v1/tenants/{tenantId}/api-keys</c>: every key of the tenant, revoked ones included.</summary>
    [Function("ListApiKeys")]
    [EndpointSummary("List a tenant's API keys")]
    [ProducesResponseType<PageResponse<ApiKeyView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> ListKeysAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/tenants/{tenantId}/api-keys")] HttpRequest request,
        string tenantId,
        CancellationToken cancellationToken)
    {
        var keys = await tenants.ListKeysAsync(tenantId, cancellationToken);
        return TypedResults.Ok(new PageResponse<ApiKeyView>(keys.Select(k => new ApiKeyView(k.KeyId, k.Name, k.CreatedAt, k.RevokedAt)).ToList(), null));
    }

    /// <summary><c>DELETE /api/v1/tenants/{tenantId}/api-keys/{keyId}</c>: 204; the key stops working within <c>Auth__KeyCache</c>.</summary>
    [Function("RevokeApiKey")]
    [EndpointSummary("Revoke an API key")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> RevokeKeyAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/tenants/{tenantId}/api-keys/{keyId}")] HttpRequest request,
        string tenantId,
        string keyId,
        CancellationToken cancellationToken)
    {
        await tenants.RevokeKeyAsync(tenantId, keyId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static TenantView View(Tenant t) => new(t.TenantId, t.DisplayName, t.CreatedAt, t.Disabled);
}
