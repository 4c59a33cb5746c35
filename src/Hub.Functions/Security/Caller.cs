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

    /// <summary>Policy: a caller acting for a tenant.</summary>
    public const string TenantPolicy = "tenant";

    /// <summary>Policy: the operator.</summary>
    public const string AdminPolicy = "admin";

    /// <summary>Policy: a caller acting for a tenant, or the operator (what the hub offers is no secret to either).</summary>
    public const string TenantOrAdminPolicy = "tenant-or-admin";

    /// <summary>The caller's tenant (endpoints under the tenant policy always have one).</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(TenantClaim) ?? throw new InvalidOperationException("The caller has no tenant; the endpoint needs the tenant policy.");
}
