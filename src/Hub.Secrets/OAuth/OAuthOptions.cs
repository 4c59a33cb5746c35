using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Secrets.OAuth;

/// <summary>How OAuth2 access tokens are obtained and cached. Section <c>OAuth</c>; app settings <c>OAuth__*</c>.</summary>
public sealed class OAuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "OAuth";

    /// <summary>An access token is refreshed this long before it expires, so a run never starts with one about to lapse.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The lifetime assumed when a provider omits <c>expires_in</c>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Timeout of one token-endpoint request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
