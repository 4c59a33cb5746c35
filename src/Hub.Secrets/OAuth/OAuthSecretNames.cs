namespace IntegrationHub.Secrets.OAuth;

/// <summary>
/// The names, in a credential's <see cref="SecretValues"/>, that the OAuth2 token service reads and writes.
/// The API stores the first group when a credential is created; the service writes the second group back.
/// </summary>
public static class OAuthSecretNames
{
    /// <summary>The provider's token endpoint URL (https; http only for loopback).</summary>
    public const string TokenUrl = "token_url";

    /// <summary>The OAuth client id.</summary>
    public const string ClientId = "client_id";

    /// <summary>The OAuth client secret (absent for public clients).</summary>
    public const string ClientSecret = "client_secret";

    /// <summary>Space-separated scopes to request (optional).</summary>
    public const string Scope = "scope";

    /// <summary><c>client_credentials</c> or <c>refresh_token</c>; default: <c>refresh_token</c> when a refresh token is stored, else <c>client_credentials</c>.</summary>
    public const string GrantType = "grant_type";

    /// <summary>How the client authenticates: <c>basic</c> (HTTP Basic, RFC 6749 §2.3.1, the default) or <c>body</c> (client_id and client_secret in the form).</summary>
    public const string ClientAuthentication = "client_auth";

    /// <summary>The refresh token; kept when a refresh answer carries no new one.</summary>
    public const string RefreshToken = "refresh_token";

    /// <summary>The current access token (written by the service).</summary>
    public const string AccessToken = "access_token";

    /// <summary>The access token's type, usually <c>Bearer</c> (written by the service).</summary>
    public const string TokenType = "token_type";

    /// <summary>When the access token expires, ISO 8601 UTC (written by the service).</summary>
    public const string AccessTokenExpiresAt = "access_token_expires_at";
}
