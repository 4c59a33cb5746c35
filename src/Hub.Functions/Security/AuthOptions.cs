using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Functions.Security;

/// <summary>Who may call the API. Section <c>Auth</c>; app settings <c>Auth__*</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Auth";

    /// <summary>The operator's key: manages tenants and their API keys. Keep it in Key Vault in Azure.</summary>
    [Required(ErrorMessage = "an admin key is required to manage tenants (at least 24 characters).")]
    [MinLength(24, ErrorMessage = "the admin key must be at least 24 characters.")]
    public string AdminKey { get; set; } = string.Empty;

    /// <summary>
    /// Trust the <c>X-MS-CLIENT-PRINCIPAL</c> header. Only behind App Service Authentication, which sets it
    /// and strips client-sent copies; anywhere else a caller could forge it.
    /// </summary>
    public bool TrustAppServiceAuthentication { get; set; }

    /// <summary>The claim in the App Service principal that names the caller's tenant.</summary>
    [Required]
    public string PrincipalTenantClaim { get; set; } = "hub_tenant";

    /// <summary>How long a verified API key is trusted before it is looked up again; a revoked key stops working within this time.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan KeyCache { get; set; } = TimeSpan.FromSeconds(30);
}
