namespace IntegrationHub.Secrets.OAuth;

/// <summary>
/// Getting an access token failed for a reason that may pass (the token endpoint unreachable or
/// answering 5xx, the write-back failing). Retry the run later; the stored credential is unchanged.
/// </summary>
public class OAuthTokenException : Exception
{
    public OAuthTokenException()
    {
    }

    public OAuthTokenException(string message)
        : base(message)
    {
    }

    public OAuthTokenException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The token endpoint's HTTP status, when it answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The OAuth <c>error</c> code it answered (e.g. <c>invalid_grant</c>), when it did.</summary>
    public string? ErrorCode { get; init; }
}

/// <summary>
/// The provider refused the grant (<c>invalid_grant</c>, <c>invalid_client</c> or another 4xx): retrying
/// cannot help. The credential store marks the credential <c>needs_reauth</c>; a user must authorize
/// again. Until the credential's secret values change, further calls fail fast without asking the provider.
/// </summary>
public sealed class ReauthorizationRequiredException : OAuthTokenException
{
    public ReauthorizationRequiredException()
    {
    }

    public ReauthorizationRequiredException(string message)
        : base(message)
    {
    }

    public ReauthorizationRequiredException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The tenant of the credential.</summary>
    public string? TenantId { get; init; }

    /// <summary>The credential that needs re-authorization.</summary>
    public string? CredentialId { get; init; }
}
