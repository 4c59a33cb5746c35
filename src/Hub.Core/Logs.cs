using Microsoft.Extensions.Logging;

namespace IntegrationHub.Core;

/// <summary>The domain's log messages, source-generated. Ids, connector names and outcomes only: never a secret value.</summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Credential {CredentialId} of tenant {TenantId} created for connector {ConnectorId} (secret version {Version})")]
    public static partial void CredentialCreated(ILogger logger, string tenantId, string credentialId, string connectorId, long version);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Credential {CredentialId} of tenant {TenantId} rotated to secret version {Version}")]
    public static partial void CredentialRotated(ILogger logger, string tenantId, string credentialId, long version);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Credential {CredentialId} of tenant {TenantId} deleted")]
    public static partial void CredentialDeleted(ILogger logger, string tenantId, string credentialId);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "Credential {CredentialId} of tenant {TenantId}: the metadata could not be written, so its new secret was deleted again")]
    public static partial void CredentialCreateRolledBack(ILogger logger, string tenantId, string credentialId, Exception exception);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Error, Message = "Credential {CredentialId} of tenant {TenantId}: its secret could not be deleted and is left in the {Store} secret store; delete it there")]
    public static partial void CredentialSecretLeft(ILogger logger, string tenantId, string credentialId, string store, Exception exception);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Credential {CredentialId} of tenant {TenantId} checked against {ConnectorId}: succeeded {Succeeded}")]
    public static partial void CredentialChecked(ILogger logger, string tenantId, string credentialId, string connectorId, bool succeeded);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Credential {CredentialId} of tenant {TenantId} needs to be authorized again")]
    public static partial void CredentialNeedsReauth(ILogger logger, string tenantId, string credentialId);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Integration {IntegrationId} of tenant {TenantId} created ({ConnectorId}, stream {Stream})")]
    public static partial void IntegrationCreated(ILogger logger, string tenantId, string integrationId, string connectorId, string stream);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Integration {IntegrationId} of tenant {TenantId} updated")]
    public static partial void IntegrationUpdated(ILogger logger, string tenantId, string integrationId);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Information, Message = "Integration {IntegrationId} of tenant {TenantId} deleted")]
    public static partial void IntegrationDeleted(ILogger logger, string tenantId, string integrationId);
}
