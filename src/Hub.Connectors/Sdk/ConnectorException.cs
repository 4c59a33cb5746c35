namespace IntegrationHub.Connectors;

/// <summary>
/// A connector operation failed. The message names the connector and, for HTTP failures, the status and
/// the API's own error text; it never carries a secret.
/// </summary>
public class ConnectorException : Exception
{
    public ConnectorException(string connectorId, int? statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ConnectorId = connectorId;
        StatusCode = statusCode;
    }

    public ConnectorException()
        : this("unknown", null, "A connector operation failed.")
    {
    }

    public ConnectorException(string message)
        : this("unknown", null, message)
    {
    }

    public ConnectorException(string message, Exception innerException)
        : this("unknown", null, message, innerException)
    {
    }

    /// <summary>The connector's id (<c>github</c>, <c>slack</c>, ...).</summary>
    public string ConnectorId { get; }

    /// <summary>The HTTP status the API answered, or <see langword="null"/> when no response came (network, refusal, timeout).</summary>
    public int? StatusCode { get; }
}

/// <summary>The API kept answering "rate limited" after every retry, or asked for a wait longer than allowed; <see cref="Wait"/> is what it asked for.</summary>
public sealed class RateLimitedException : ConnectorException
{
    public RateLimitedException(string connectorId, int? statusCode, TimeSpan? wait, string message)
        : base(connectorId, statusCode, message)
    {
        Wait = wait;
    }

    /// <summary>How long the API asked to wait, when it said.</summary>
    public TimeSpan? Wait { get; }
}

/// <summary>A configuration, credential or action input does not match its record; <see cref="Errors"/> names each field.</summary>
public sealed class ConnectorValidationException : ConnectorException
{
    public ConnectorValidationException(string connectorId, string what, IReadOnlyList<FieldError> errors)
        : base(connectorId, null, $"The {connectorId} {what} is invalid: {string.Join("; ", errors.Select(e => e.Field.Length == 0 ? e.Message : $"{e.Field}: {e.Message}"))}")
    {
        Errors = errors;
    }

    public IReadOnlyList<FieldError> Errors { get; }
}

/// <summary>The SSRF guard refused a destination: its resolved address is loopback, link-local, private or unspecified.</summary>
public sealed class DestinationRefusedException : ConnectorException
{
    public DestinationRefusedException(string connectorId, string host, string address, string range)
        : base(connectorId, null, $"{connectorId}: refused to connect to {host} ({address}): {range} addresses are not allowed. An operator can allow the host with Connectors__Network__AllowedHosts.")
    {
        Host = host;
        Address = address;
        Range = range;
    }

    public string Host { get; }

    public string Address { get; }

    public string Range { get; }
}
