using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Secrets.OAuth;

/// <summary>How OAuth2 access tokens are obtained and cached. Section <c>OAuth</c>; app settings <c>OAuth__*</c>.</summary>
public sealed class OAuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "OAuth";

    /// <summary>An access token is refreshed this long before it expires, so a run never starts with one about to lapse.</summary>
    [Range(0, 3600)]
    public int RefreshBeforeExpirySeconds { get; set; } = 60;

    /// <summary>The lifetime assumed when a provider omits <c>expires_in</c>.</summary>
    [Range(60, 86400)]
    public int DefaultLifetimeSeconds { get; set; } = 3600;

    /// <summary>Timeout of one token-endpoint request.</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 30;
}
