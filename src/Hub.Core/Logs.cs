using Microsoft.Extensions.Logging;

namespace IntegrationHub.Core;

/// <summary>The domain's log messages, source-generated. Run and integration ids travel as structured values.</summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Run {RunId} ({Trigger}) created for tenant {TenantId}")]
    public static partial void RunCreated(ILogger logger, string runId, string trigger, string tenantId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Run {RunId} ended {Status} after {RecordsPublished} published records")]
    public static partial void RunEnded(ILogger logger, string runId, string status, long recordsPublished);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Run {RunId} step {Step} failed (attempt {Attempt}): {Error}")]
    public static partial void StepFailed(ILogger logger, string runId, string step, int attempt, string error);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Run {RunId} waits until {Until}: {Reason}")]
    public static partial void RunWaiting(ILogger logger, string runId, DateTimeOffset until, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Run {RunId} has made no progress since {LastProgressAt}: stalled")]
    public static partial void RunStalled(ILogger logger, string runId, DateTimeOffset lastProgressAt);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Run {RunId} republishes its in-flight page of {Count} events left by an interrupted instance")]
    public static partial void OutboxReplayed(ILogger logger, string runId, int count);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Run {RunId} commits its page of {Count} events that an interrupted instance published and did not commit")]
    public static partial void PublishedPageCommitted(ILogger logger, string runId, int count);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Run {RunId}: the sink refused {Count} events for good; kept as dead letters: {Error}")]
    public static partial void DeadLettered(ILogger logger, string runId, int count, string error);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Schedule slot {Slot} of integration {IntegrationId} (tenant {TenantId}) started run {RunId}")]
    public static partial void SlotStarted(ILogger logger, DateTimeOffset slot, string integrationId, string tenantId, string runId);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Schedule of integration {IntegrationId} skipped slot {Slot}: {Reason}")]
    public static partial void SlotSkipped(ILogger logger, string integrationId, DateTimeOffset slot, string reason);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "A start of {Kind} {ResourceId} (tenant {TenantId}) was refused: run {ActiveRunId} holds it")]
    public static partial void RunStartRefused(ILogger logger, string kind, string resourceId, string tenantId, string activeRunId);

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

    [LoggerMessage(EventId = 5050, Level = LogLevel.Information, Message = "Webhook secret of integration {IntegrationId} of tenant {TenantId} set (version {Version})")]
    public static partial void WebhookSecretSet(ILogger logger, string tenantId, string integrationId, long version);

    [LoggerMessage(EventId = 5051, Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} for integration {IntegrationId} of tenant {TenantId} accepted with {Records} record(s)")]
    public static partial void WebhookAccepted(ILogger logger, string tenantId, string integrationId, string deliveryId, int records);

    [LoggerMessage(EventId = 5052, Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} for integration {IntegrationId} is a redelivery: nothing new")]
    public static partial void WebhookDuplicate(ILogger logger, string integrationId, string deliveryId);

    [LoggerMessage(EventId = 5053, Level = LogLevel.Warning, Message = "Webhook request for integration {IntegrationId} ({ConnectorId}) refused: {Reason}")]
    public static partial void WebhookRejected(ILogger logger, string integrationId, string connectorId, string reason);

    [LoggerMessage(EventId = 5054, Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} of integration {IntegrationId} published: {Published} new, {Unchanged} unchanged")]
    public static partial void WebhookPublished(ILogger logger, string integrationId, string deliveryId, int published, int unchanged);

    [LoggerMessage(EventId = 5055, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} of integration {IntegrationId} not published yet: {Reason}")]
    public static partial void WebhookPublishDeferred(ILogger logger, string integrationId, string deliveryId, string reason);

    [LoggerMessage(EventId = 5056, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} of integration {IntegrationId} cannot be mapped ({Error}); kept as dead-lettered")]
    public static partial void WebhookUnmappable(ILogger logger, string integrationId, string deliveryId, string error);

    [LoggerMessage(EventId = 5057, Level = LogLevel.Information, Message = "Re-drove {Found} pending webhook deliveries, {Settled} settled")]
    public static partial void WebhooksRedriven(ILogger logger, int found, int settled);

    [LoggerMessage(EventId = 5058, Level = LogLevel.Error, Message = "Publishing webhook deliveries failed ({Scope}); they stay pending")]
    public static partial void WebhookDispatchFailed(ILogger logger, string scope, Exception exception);
}
