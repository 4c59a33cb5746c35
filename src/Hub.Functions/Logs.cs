namespace IntegrationHub.Functions;

/// <summary>The handler app's log messages, source-generated so they cost nothing when filtered out.</summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "IntegrationHub listening on {Urls} ({Mode})")]
    public static partial void Listening(ILogger logger, string urls, string mode);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Timer function {FunctionName} scheduled standalone on '{Schedule}'")]
    public static partial void StandaloneTimerScheduled(ILogger logger, string functionName, string schedule);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Timer function {FunctionName} answered {StatusCode}")]
    public static partial void StandaloneTimerFailed(ILogger logger, string functionName, int statusCode);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Timer function {FunctionName} could not be invoked: {Reason}")]
    public static partial void StandaloneTimerUnreachable(ILogger logger, string functionName, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Timer function {FunctionName} completed in {ElapsedMs} ms")]
    public static partial void TimerFunctionCompleted(ILogger logger, string functionName, double elapsedMs);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Error, Message = "Timer function {FunctionName} failed")]
    public static partial void TimerFunctionFailed(ILogger logger, string functionName, Exception exception);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Dependency {Dependency} is now {Status}: {Detail}")]
    public static partial void DependencyChanged(ILogger logger, string dependency, string status, string? detail);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Error, Message = "{Method} {Path} failed with {Status}")]
    public static partial void RequestFailed(ILogger logger, string method, string path, int status, Exception exception);
}
