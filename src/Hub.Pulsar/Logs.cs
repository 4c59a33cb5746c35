using Microsoft.Extensions.Logging;

namespace IntegrationHub.Pulsar;

/// <summary>The Pulsar client's log messages, source-generated. None carries the token or a payload.</summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Pulsar producer '{ProducerName}' opened a session on {Topic} from sequence id {FirstSequenceId}")]
    public static partial void ProducerSessionOpened(ILogger logger, string producerName, string topic, long firstSequenceId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Pulsar producer '{ProducerName}' on {Topic}: attempt {Attempt} failed, resending {Unreceipted} message(s) from sequence id {FirstSequenceId} in {DelayMs} ms: {Reason}")]
    public static partial void ProducerRetrying(ILogger logger, string producerName, string topic, int attempt, int unreceipted, long firstSequenceId, double delayMs, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Published {Count} event(s) to {Topic} as '{ProducerName}' ({Duplicates} dropped by deduplication as already stored)")]
    public static partial void BatchPublished(ILogger logger, int count, string topic, string producerName, int duplicates);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Command {MessageId} on {Topic} failed (attempt {Attempt} of {MaxAttempts}); it will be redelivered: {Reason}")]
    public static partial void CommandFailed(ILogger logger, string messageId, string topic, int attempt, int maxAttempts, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error, Message = "Command {MessageId} on {Topic} failed {Attempt} time(s); moved to dead-letter topic {DeadLetterTopic}: {Reason}")]
    public static partial void CommandDeadLettered(ILogger logger, string messageId, string topic, int attempt, string deadLetterTopic, string reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Drained {Topic}/{Subscription}: {Processed} processed, {Failed} failed, {DeadLettered} dead-lettered in {ElapsedMs} ms")]
    public static partial void Drained(ILogger logger, string topic, string subscription, int processed, int failed, int deadLettered, double elapsedMs);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Command consumer session on {Topic} ended early: {Reason}")]
    public static partial void ConsumerSessionEnded(ILogger logger, string topic, string reason);
}
