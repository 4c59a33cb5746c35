namespace IntegrationHub.Functions;

/// <summary>The Function App's log messages, source-generated so they cost nothing when filtered out. EventIds 2000-2099.</summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "ScheduleSyncs started {Count} scheduled run(s)")]
    public static partial void ScheduledRunsStarted(ILogger logger, int count);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "DrainCommands: {Processed} executed, {Failed} failed, {DeadLettered} dead-lettered")]
    public static partial void CommandsDrained(ILogger logger, int processed, int failed, int deadLettered);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Error, Message = "{Method} {Path} failed with {Status}")]
    public static partial void RequestFailed(ILogger logger, string method, string path, int status, Exception exception);
}
