namespace IntegrationHub.Core.Errors;

/// <summary>
/// A request to a domain service was refused for a reason the caller can fix. The HTTP API turns each
/// kind into its problem response (400, 404, 409, 412); the run engine reports the message. Messages
/// name fields, ids and versions, never a secret value.
/// </summary>
public abstract class RequestRefusedException : Exception
{
    protected RequestRefusedException(string message)
        : base(message)
    {
    }

    protected RequestRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One or more fields are invalid; <see cref="Errors"/> maps each field's JSON path (<c>configuration.owner</c>, <c>values.token</c>) to what is wrong.</summary>
public sealed class ValidationFailedException : RequestRefusedException
{
    public ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
        : base("The request is invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
    {
        Errors = errors;
    }

    /// <summary>One field's error.</summary>
    public ValidationFailedException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    /// <summary>Field path to messages.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
}

/// <summary>The tenant has no such resource. Another tenant's id is reported the same way, so ids of other tenants cannot be probed.</summary>
public sealed class ResourceNotFoundException(string kind, string id) : RequestRefusedException($"{kind} '{id}' was not found.")
{
    /// <summary>What was looked for (<c>Credential</c>, <c>Integration</c>).</summary>
    public string Kind { get; } = kind;

    /// <summary>The id asked for.</summary>
    public string Id { get; } = id;
}

/// <summary>The request conflicts with the resource's current state (in use, changed by another writer); <see cref="Detail"/> says what to do.</summary>
public sealed class ResourceConflictException(string title, string? detail = null, Exception? innerException = null) : RequestRefusedException(title, innerException)
{
    /// <summary>What the caller can do about it.</summary>
    public string? Detail { get; } = detail;
}

/// <summary>The caller's <c>If-Match</c> names a version that is no longer current.</summary>
public sealed class StaleVersionException(string kind, string id) : RequestRefusedException($"{kind} '{id}' has changed since the version in If-Match.")
{
    public string Kind { get; } = kind;

    public string Id { get; } = id;

    /// <summary>Whether <paramref name="expected"/> (an If-Match value, quoted or not; null: no condition) names <paramref name="current"/>.</summary>
    public static bool Matches(string? expected, string? current) =>
        expected is null || string.Equals(expected.Trim('"'), current?.Trim('"'), StringComparison.Ordinal);
}

/// <summary>The request could not be carried out now but may succeed when retried unchanged (the API answers 503 with <c>Retry-After</c>).</summary>
public sealed class RetryLaterException(string title, string? detail = null, Exception? innerException = null) : RequestRefusedException(title, innerException)
{
    /// <summary>What went wrong, for the caller (never a secret).</summary>
    public string? Detail { get; } = detail;
}

/// <summary>
/// A system the hub hands the request on to (the event sink on a dead letter's replay) refused it.
/// <see cref="IsTransient"/>: it may accept it later (503); otherwise it refuses this content for good (422).
/// </summary>
public sealed class DependencyRefusedException(string title, string detail, bool isTransient, Exception? innerException = null) : RequestRefusedException(title, innerException)
{
    /// <summary>The dependency's own reason (its messages carry no secret values).</summary>
    public string Detail { get; } = detail;

    /// <summary>Whether retrying unchanged may succeed.</summary>
    public bool IsTransient { get; } = isTransient;
}
