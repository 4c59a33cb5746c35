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

    [LoggerMessage(EventId = 6005, Level = LogLevel.Error, Message = "Connector {ConnectorId}: pagination does not advance; request {RequestNumber} repeats request {FirstNumber} to {Host}")]
    public static partial void PaginationStalled(ILogger logger, string connectorId, int requestNumber, int firstNumber, string host);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "Connector {ConnectorId}: redirect from {FromHost}:{FromPort} to another origin {ToHost}:{ToPort}; followed without credentials")]
    public static partial void RedirectToOtherOrigin(ILogger logger, string connectorId, string fromHost, int fromPort, string toHost, int toPort);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "Connector {ConnectorId}: refused a redirect from {FromHost}:{FromPort} to another origin {ToHost}:{ToPort} whose URL carries a credential")]
    public static partial void RedirectCarriesCredential(ILogger logger, string connectorId, string fromHost, int fromPort, string toHost, int toPort);
}
