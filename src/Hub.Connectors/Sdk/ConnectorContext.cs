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

    /// <summary>The key of the connection's pacing bucket and circuit breaker.</summary>
    internal string ConnectionKey => CredentialId ?? $"tenant:{TenantId}/integration:{IntegrationId}";

    /// <summary>Prints ids only: the secret values must never reach a log line.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("TenantId = ").Append(TenantId)
            .Append(", IntegrationId = ").Append(IntegrationId)
            .Append(", CredentialId = ").Append(CredentialId)
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
