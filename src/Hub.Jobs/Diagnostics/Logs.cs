using Microsoft.Extensions.Logging;

namespace IntegrationHub.Jobs.Diagnostics;

/// <summary>The job engines' log messages, source-generated so they cost nothing when filtered out. No message carries a credential.</summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Submitted Spark batch '{BatchName}' to Livy: batch {BatchId}, state {State}")]
    public static partial void LivySubmitted(ILogger logger, string batchName, long batchId, string state);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Spark batch '{BatchName}' already exists in Livy as batch {BatchId} ({State}); not submitting it again")]
    public static partial void LivyReused(ILogger logger, string batchName, long batchId, string state);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Spark batch {BatchId} ended {State}")]
    public static partial void LivyEnded(ILogger logger, long batchId, string state);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Deleted Spark batch {BatchId} in Livy (found: {Found})")]
    public static partial void LivyDeleted(ILogger logger, long batchId, bool found);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Livy call {Method} {Path} failed: {Message}")]
    public static partial void LivyCallFailed(ILogger logger, string method, string path, string message);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Could not read the log of failed Spark batch {BatchId}: {Message}")]
    public static partial void LivyLogUnavailable(ILogger logger, long batchId, string message);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Triggered n8n workflow {WorkflowId} ('{WorkflowName}') via {Method} webhook: {Outcome}")]
    public static partial void N8nTriggered(ILogger logger, string workflowId, string workflowName, string method, string outcome);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "n8n execution {ExecutionId} ended {Status}")]
    public static partial void N8nExecutionEnded(ILogger logger, string executionId, N8n.N8nExecutionStatus status);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "n8n call {Method} {Path} failed: {Message}")]
    public static partial void N8nCallFailed(ILogger logger, string method, string path, string message);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Debug, Message = "Listed {Count} n8n workflows tagged '{Tag}'")]
    public static partial void N8nListed(ILogger logger, int count, string tag);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "n8n execution {ExecutionId} cannot be stopped through n8n's public API; the hub stops waiting for it and it runs to its end in n8n")]
    public static partial void N8nCancelUnsupported(ILogger logger, string executionId);

    [LoggerMessage(EventId = 7201, Level = LogLevel.Warning, Message = "Run {RunId} was cancelled but Livy refused to delete the Spark batch of step {Step}: {Message}")]
    public static partial void SparkCancelRefused(ILogger logger, string runId, string step, string message);
}
