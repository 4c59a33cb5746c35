using System.Text;
using System.Text.Json;

namespace IntegrationHub.Connectors;

/// <summary>
/// What a connector operation runs with: who it runs for, the integration's configuration and the
/// credential's secret values (read from the secret store by the caller), and an observer for waits.
/// </summary>
public sealed record ConnectorContext
{
    public required string TenantId { get; init; }

    public string? IntegrationId { get; init; }

    /// <summary>The credential's id; with the connector id it keys the pacing token bucket and the circuit breaker.</summary>
    public string? CredentialId { get; init; }

    /// <summary>The configuration JSON, validated against the connector's configuration record.</summary>
    public JsonElement Configuration { get; init; }

    /// <summary>The credential's secret values by field name. Never logged, never printed.</summary>
    public IReadOnlyDictionary<string, string> Credentials { get; init; } = new Dictionary<string, string>();

    /// <summary>Sees rate-limit waits; the run engine shows them as a state.</summary>
    public IConnectorObserver Observer { get; init; } = NullConnectorObserver.Instance;

    /// <summary>
    /// When true, the API's rate limits are never waited in-process: a <c>429</c>, a rate-limit <c>403</c>, any answer
    /// carrying <c>Retry-After</c>, or a quota the API said is used up (<c>X-RateLimit-Remaining: 0</c> until
    /// <c>X-RateLimit-Reset</c>) ends the operation at once with <see cref="RateLimitedException"/> naming the wait
    /// (<see langword="null"/> when the API did not say), and nothing is retried for it. Set by the run's activities,
    /// whose orchestration waits on a durable timer instead of holding a worker (issue 12). Network errors, timeouts
    /// and 5xx without <c>Retry-After</c> are still retried in-process with short jittered backoff
    /// (<c>Connectors__Resilience__MaxRetries</c>, <c>BaseDelay</c>), and the hub's own pacing bucket still spaces requests.
    /// When false (API checks, previews, inbound commands), waits up to <c>Connectors__Resilience__MaxRateLimitWait</c> are slept.
    /// </summary>
    public bool DeferRateLimits { get; init; }

    /// <summary>The key of the connection's pacing bucket and circuit breaker.</summary>
    internal string ConnectionKey => CredentialId ?? $"tenant:{TenantId}/integration:{IntegrationId}";

    /// <summary>Prints ids only: the secret values must never reach a log line.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("TenantId = ").Append(TenantId)
            .Append(", IntegrationId = ").Append(IntegrationId)
            .Append(", CredentialId = ").Append(CredentialId)
            .Append(", DeferRateLimits = ").Append(DeferRateLimits)
            .Append(", Credentials = [").Append(Credentials.Count).Append(" redacted]");
        return true;
    }
}

/// <summary>
/// Sees a connector wait for a rate limit, so a wait shows as a state ("rate limited until ...") and never
/// as a silent hang.
/// </summary>
public interface IConnectorObserver
{
    /// <summary>A wait of <paramref name="wait"/> starts; <paramref name="reason"/> says why (<c>429 Retry-After</c>, <c>pacing</c>, ...).</summary>
    void OnRateLimited(TimeSpan wait, string reason);

    /// <summary>The wait is over; requests go out again.</summary>
    void OnResumed();
}

/// <summary>The default observer: sees nothing.</summary>
public sealed class NullConnectorObserver : IConnectorObserver
{
    public static NullConnectorObserver Instance { get; } = new();

    public void OnRateLimited(TimeSpan wait, string reason)
    {
    }

    public void OnResumed()
    {
    }
}
