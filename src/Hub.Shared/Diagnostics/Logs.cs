using Microsoft.Extensions.Logging;

namespace IntegrationHub.Shared.Diagnostics;

/// <summary>The shared library's log messages, source-generated so they cost nothing when filtered out.</summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Cosmos DB database '{Database}' ready with {Containers} containers")]
    public static partial void CosmosReady(ILogger logger, string database, int containers);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Cosmos DB at {Endpoint} is not reachable yet; retrying in {DelaySeconds}s: {Reason}")]
    public static partial void CosmosNotReady(ILogger logger, string endpoint, double delaySeconds, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Dependency {Dependency} is {State}: {Detail}")]
    public static partial void DependencyStateChanged(ILogger logger, string dependency, string state, string? detail);
}
