namespace IntegrationHub.Pulsar;

/// <summary>
/// Pulsar did not do what was asked: a session could not be opened (with the HTTP status of the refused upgrade),
/// a send was refused or timed out, a session dropped. Messages never carry the token.
/// </summary>
public sealed class PulsarException(string message, bool isTransient, int? httpStatus = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>Whether trying again later may succeed (broker down, timeout, producer name still held by a dropped session).</summary>
    public bool IsTransient { get; } = isTransient;

    /// <summary>The HTTP status of a refused WebSocket upgrade, when that is what failed.</summary>
    public int? HttpStatus { get; } = httpStatus;
}
