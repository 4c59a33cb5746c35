using System.ComponentModel.DataAnnotations;
using IntegrationHub.Core.Tenants;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;

namespace IntegrationHub.Functions.Functions.TenantApiKeys;

/// <summary>The <c>TenantApiKeys</c> function: the operator issues, lists and revokes a tenant's API keys (admin key).</summary>
public static class TenantApiKeysEndpoints
{
    /// <summary>A new key.</summary>
    public sealed record CreateApiKeyRequest([property: Required, StringLength(200, MinimumLength = 1)] string Name);

    /// <summary>A key as listed: never the key or its hash.</summary>
    public sealed record ApiKeyView(string KeyId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

    /// <summary>A key just created: the only time <paramref name="Key"/> is shown.</summary>
    public sealed record CreatedApiKey(string KeyId, string Name, DateTimeOffset CreatedAt, string Key);

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapTenantApiKeys(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/tenants/{tenantId}/api-keys").WithTags("Tenants").RequireAuthorization(Caller.AdminPolicy);
        group.MapPost("/", CreateAsync).Idempotent().Accepts<CreateApiKeyRequest>("application/json").WithSummary("Issue an API key (shown once)");
        group.MapGet("/", ListAsync).WithSummary("List a tenant's API keys");
        group.MapDelete("/{keyId}", RevokeAsync).WithSummary("Revoke an API key");
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(string tenantId, JsonBody<CreateApiKeyRequest> body, TenantStore tenants, CancellationToken cancellationToken)
    {
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (await tenants.GetAsync(tenantId, cancellationToken) is null)
        {
            return ApiProblems.NotFound("Tenant", tenantId);
        }

        var (stored, key) = await tenants.CreateKeyAsync(tenantId, body.Value!.Name, cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/api-keys/{stored.KeyId}", new CreatedApiKey(stored.KeyId, stored.Name, stored.CreatedAt, key));
    }

    private static async Task<IResult> ListAsync(string tenantId, TenantStore tenants, CancellationToken cancellationToken)
    {
        if (await tenants.GetAsync(tenantId, cancellationToken) is null)
        {
            return ApiProblems.NotFound("Tenant", tenantId);
        }

        var keys = await tenants.ListKeysAsync(tenantId, cancellationToken);
        return TypedResults.Ok(new PageResponse<ApiKeyView>(keys.Select(k => new ApiKeyView(k.KeyId, k.Name, k.CreatedAt, k.RevokedAt)).ToList(), null));
    }

    private static async Task<IResult> RevokeAsync(string tenantId, string keyId, TenantStore tenants, CancellationToken cancellationToken) =>
        await tenants.RevokeKeyAsync(tenantId, keyId, cancellationToken) is null ? ApiProblems.NotFound("API key", keyId) : TypedResults.NoContent();
}
