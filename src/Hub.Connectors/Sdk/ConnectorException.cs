namespace IntegrationHub.Connectors;

/// <summary>
/// Why a connector operation failed, so the run engine can tell a failure worth retrying from one that will fail
/// the same way on every attempt. Only <see cref="Transient"/> and <see cref="RateLimited"/> are worth another try.
/// </summary>
public enum ConnectorErrorKind
{
    /// <summary>No answer (network error, timeout, open circuit), 408, 5xx, or an API error documented as temporary: retry later.</summary>
    Transient,

    /// <summary>429, a 403 with rate-limit headers, or the quota is used up: wait as asked (<see cref="RateLimitedException.Wait"/>).</summary>
    RateLimited,

    /// <summary>The API refused the credential: 401, 403 without rate-limit headers, Slack <c>invalid_auth</c>/<c>not_authed</c>/<c>token_revoked</c>/<c>account_inactive</c>, Zulip <c>INVALID_API_KEY</c>. Permanent until the credential changes.</summary>
    Authentication,

    /// <summary>The configuration, credential values or action input do not fit the connector (unknown stream, missing field, no records array where the configuration says). Permanent until the integration changes.</summary>
    Configuration,

    /// <summary>The SSRF guard refused the destination (<see cref="DestinationRefusedException"/>). Permanent until an operator allows the host.</summary>
    DestinationRefused,

    /// <summary>The API refused the request itself: any other 4xx (not found, bad request), an unfollowed redirect, an API error code not documented as temporary. Permanent.</summary>
    Request,

    /// <summary>The API's pagination does not advance: the next page request equals one already made in this read (<see cref="PaginationStalledException"/>). Permanent.</summary>
    PaginationStalled,
}

/// <summary>
/// A connector operation failed. The message names the connector and, for HTTP failures, the status and
/// the API's own error text; it never carries a secret. <see cref="Kind"/> says whether retrying can help.
/// </summary>
public class ConnectorException : Exception
{
    /// <summary>A failure classified by <paramref name="statusCode"/> alone (see <see cref="KindOf"/>).</summary>
    public ConnectorException(string connectorId, int? statusCode, string message, Exception? innerException = null)
        : this(connectorId, statusCode, KindOf(statusCode), message, innerException)
    {
    }

    /// <summary>A failure of a known <paramref name="kind"/>.</summary>
    public ConnectorException(string connectorId, int? statusCode, ConnectorErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ConnectorId = connectorId;
        StatusCode = statusCode;
        Kind = kind;
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

    /// <summary>Why it failed; decides <see cref="IsPermanent"/>.</summary>
    public ConnectorErrorKind Kind { get; }

    /// <summary>Whether another attempt would fail the same way: everything but <see cref="ConnectorErrorKind.Transient"/> and <see cref="ConnectorErrorKind.RateLimited"/>. The run engine fails a permanent failure at once instead of retrying it.</summary>
    public bool IsPermanent => Kind is not (ConnectorErrorKind.Transient or ConnectorErrorKind.RateLimited);

    /// <summary>
    /// The kind an HTTP status implies (RFC 9110 §15): none (no answer), 408, 5xx and 2xx (an API error in a successful
    /// answer whose meaning the caller did not classify) are <see cref="ConnectorErrorKind.Transient"/>; 429 is
    /// <see cref="ConnectorErrorKind.RateLimited"/>; 401 and 403 <see cref="ConnectorErrorKind.Authentication"/>;
    /// every other 3xx and 4xx <see cref="ConnectorErrorKind.Request"/>.
    /// </summary>
    public static ConnectorErrorKind KindOf(int? statusCode) => statusCode switch
    {
        null => ConnectorErrorKind.Transient,
        429 => ConnectorErrorKind.RateLimited,
        401 or 403 => ConnectorErrorKind.Authentication,
        408 => ConnectorErrorKind.Transient,
        >= 300 and < 500 => ConnectorErrorKind.Request,
        _ => ConnectorErrorKind.Transient,
    };
}

/// <summary>The API kept answering "rate limited" after every retry, or asked for a wait longer than allowed; <see cref="Wait"/> is what it asked for.</summary>
public sealed class RateLimitedException : ConnectorException
{
    public RateLimitedException(string connectorId, int? statusCode, TimeSpan? wait, string message)
        : base(connectorId, statusCode, ConnectorErrorKind.RateLimited, message)
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
        : base(connectorId, null, ConnectorErrorKind.Configuration, $"The {connectorId} {what} is invalid: {string.Join("; ", errors.Select(e => e.Field.Length == 0 ? e.Message : $"{e.Field}: {e.Message}"))}")
    {
        Errors = errors;
    }

    public IReadOnlyList<FieldError> Errors { get; }
}

/// <summary>The SSRF guard refused a destination: its resolved address is loopback, link-local, private, unspecified, one of this host's own addresses, or an IPv6 address embedding one of those.</summary>
public sealed class DestinationRefusedException : ConnectorException
{
    public DestinationRefusedException(string connectorId, string host, string address, string range)
        : base(connectorId, null, ConnectorErrorKind.DestinationRefused, $"{connectorId}: refused to connect to {host} ({address}): {range} addresses are not allowed. An operator can allow the host with Connectors__Network__AllowedHosts.")
    {
        Host = host;
        Address = address;
        Range = range;
    }

    public string Host { get; }

    public string Address { get; }

    public string Range { get; }
}

/// <summary>
/// The API's pagination does not advance: the next page request of a read equals one the read already made
/// (the same method and URL, e.g. <c>next_cursor</c> answering the cursor just sent, a <c>Link: rel="next"</c>
/// pointing back), or a page repeats the previous page's records while its page number or offset moved. Reading
/// on would only repeat the same pages until the run's deadline, so the read fails at once.
/// </summary>
public sealed class PaginationStalledException : ConnectorException
{
    public PaginationStalledException(string connectorId, string request, int requestNumber, int firstNumber, string message)
        : base(connectorId, null, ConnectorErrorKind.PaginationStalled, message)
    {
        Request = request;
        RequestNumber = requestNumber;
        FirstNumber = firstNumber;
    }

    /// <summary>The repeated request, <c>GET host/path?query</c>, with every credential value replaced by <c>***</c>.</summary>
    public string Request { get; }

    /// <summary>The 1-based number of the request that would have repeated, within this read.</summary>
    public int RequestNumber { get; }

    /// <summary>The 1-based number of the earlier request it equals.</summary>
    public int FirstNumber { get; }
}
