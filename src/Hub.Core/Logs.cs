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

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Run {RunId} lost its lease to another instance; stopping here")]
    public static partial void LeaseLost(ILogger logger, string runId);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Run {RunId} has made no progress since {LastProgressAt}: stalled")]
    public static partial void RunStalled(ILogger logger, string runId, DateTimeOffset lastProgressAt);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Run {RunId} republishes its in-flight page of {Count} events left by an interrupted instance")]
    public static partial void OutboxReplayed(ILogger logger, string runId, int count);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Run {RunId}: the sink refused {Count} events for good; kept as dead letters: {Error}")]
    public static partial void DeadLettered(ILogger logger, string runId, int count, string error);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Schedule slot {Slot} of integration {IntegrationId} (tenant {TenantId}) started run {RunId}")]
    public static partial void SlotStarted(ILogger logger, DateTimeOffset slot, string integrationId, string tenantId, string runId);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Schedule of integration {IntegrationId} skipped slot {Slot}: {Reason}")]
    public static partial void SlotSkipped(ILogger logger, string integrationId, DateTimeOffset slot, string reason);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "Advancing run {RunId} failed unexpectedly")]
    public static partial void AdvanceFailed(ILogger logger, string runId, Exception exception);
}
