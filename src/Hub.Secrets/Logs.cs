using Microsoft.Extensions.Logging;

namespace IntegrationHub.Secrets;

/// <summary>
/// The secrets library's log messages, source-generated (EventIds 8xxx, unique across the hub). None takes a secret value: hosts, ids, TTLs,
/// status codes and OAuth error codes only.
/// </summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Logged in to Vault at {Host} with {Method} auth; token TTL {TtlSeconds}s, renewable {Renewable}")]
    public static partial void VaultLoggedIn(ILogger logger, string host, string method, double ttlSeconds, bool renewable);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Debug, Message = "Renewed the Vault token at {Host}; TTL {TtlSeconds}s")]
    public static partial void VaultTokenRenewed(ILogger logger, string host, double ttlSeconds);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "Renewing the Vault token at {Host} failed ({Status}); logging in again with {Method} auth")]
    public static partial void VaultRenewalFailed(ILogger logger, string host, int status, string method);

    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "Secrets__LocalKey is not set: in Development the local secret store uses a generated key, saved to {Path} (key id {KeyId}). Secrets stored with it are readable only while that file exists; set Secrets__LocalKey outside Development.")]
    public static partial void LocalKeyGenerated(ILogger logger, string path, string keyId);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Warning, Message = "Secrets__LocalKey is not set: in Development the local secret store uses the generated key in {Path} (key id {KeyId}).")]
    public static partial void LocalKeyFromDevelopmentFile(ILogger logger, string path, string keyId);

    [LoggerMessage(EventId = 8201, Level = LogLevel.Information, Message = "Obtained an OAuth access token for credential {CredentialId} of tenant {TenantId} with the {Grant} grant; expires in {ExpiresInSeconds}s")]
    public static partial void OAuthTokenObtained(ILogger logger, string tenantId, string credentialId, string grant, double expiresInSeconds);

    [LoggerMessage(EventId = 8202, Level = LogLevel.Warning, Message = "The OAuth provider at {Host} refused the {Grant} grant for credential {CredentialId} of tenant {TenantId} ({Status}, {Error}); the credential needs re-authorization")]
    public static partial void OAuthGrantRefused(ILogger logger, string tenantId, string credentialId, string grant, string host, int status, string error);

    [LoggerMessage(EventId = 8203, Level = LogLevel.Information, Message = "Another writer refreshed credential {CredentialId} of tenant {TenantId} first; using its access token")]
    public static partial void OAuthWriteBackLostToFresherToken(ILogger logger, string tenantId, string credentialId);

    [LoggerMessage(EventId = 8204, Level = LogLevel.Warning, Message = "Could not write the refreshed tokens of credential {CredentialId} of tenant {TenantId} back (check-and-set lost twice); refresh token rotated: {Rotated}")]
    public static partial void OAuthWriteBackFailed(ILogger logger, string tenantId, string credentialId, bool rotated);
}
