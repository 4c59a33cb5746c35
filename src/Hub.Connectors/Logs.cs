using Microsoft.Extensions.Logging;

namespace IntegrationHub.Connectors;

/// <summary>The connectors' log messages, source-generated (EventIds 6xxx, unique across the hub). They carry ids, hosts and statuses, never secrets or query strings.</summary>
internal static partial class Logs
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Connector {ConnectorId}: retry {Attempt} in {DelaySeconds:0.###} s ({Reason})")]
    public static partial void Retrying(ILogger logger, string connectorId, int attempt, double delaySeconds, string reason);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Connector {ConnectorId}: waiting {WaitSeconds:0.###} s for the rate limit ({Reason})")]
    public static partial void RateLimited(ILogger logger, string connectorId, double waitSeconds, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "Connector {ConnectorId}: circuit opened for {BreakSeconds} s after repeated failures")]
    public static partial void CircuitOpened(ILogger logger, string connectorId, double breakSeconds);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Connector {ConnectorId}: refused connection to {Host} ({Address}, {Range})")]
    public static partial void DestinationRefused(ILogger logger, string connectorId, string host, string address, string range);
}
