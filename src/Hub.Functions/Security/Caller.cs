using System.Security.Claims;

namespace IntegrationHub.Functions.Security;

/// <summary>Claims the hub puts on an authenticated caller, and how endpoints read them.</summary>
public static class Caller
{
    /// <summary>The authentication scheme.</summary>
    public const string Scheme = "Hub";

    /// <summary>The claim naming the caller's tenant.</summary>
    public const string TenantClaim = "hub:tenant";

    /// <summary>The role of the operator's admin key.</summary>
    public const string AdminRole = "admin";

    /// <summary>The caller's tenant (endpoints under the tenant policy always have one).</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(TenantClaim) ?? throw new InvalidOperationException("The caller has no tenant; the function needs [Requires(Access.Tenant)].");

    /// <summary>The tenant of the request's caller (functions that require <see cref="Access.Tenant"/> always have one).</summary>
    public static string TenantId(this Microsoft.AspNetCore.Http.HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext.User.TenantId();
    }
}
