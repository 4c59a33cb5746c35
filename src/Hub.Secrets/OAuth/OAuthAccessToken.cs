namespace IntegrationHub.Secrets.OAuth;

/// <summary>An access token for a connector's requests. <see cref="ToString"/> masks the token.</summary>
public sealed class OAuthAccessToken(string accessToken, string tokenType, DateTimeOffset expiresAt)
{
    /// <summary>The token, for the <c>Authorization</c> header.</summary>
    public string AccessToken { get; } = accessToken;

    /// <summary>The token type, usually <c>Bearer</c>.</summary>
    public string TokenType { get; } = tokenType;

    /// <summary>When it expires.</summary>
    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    /// <summary>The <c>Authorization</c> header value, e.g. <c>Bearer eyJ…</c>.</summary>
    public string AuthorizationHeaderValue => $"{(string.Equals(TokenType, "bearer", StringComparison.OrdinalIgnoreCase) ? "Bearer" : TokenType)} {AccessToken}";

    public override string ToString() => $"OAuthAccessToken {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, AccessToken = {SecretValues.Mask(AccessToken)} }}";
}
