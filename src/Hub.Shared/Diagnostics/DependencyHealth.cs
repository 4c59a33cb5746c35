using System.Text.Json.Serialization;

namespace IntegrationHub.Shared.Diagnostics;

/// <summary>How an external dependency looks right now.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DependencyStatus>))]
public enum DependencyStatus
{
    /// <summary>Not configured: the hub runs on its embedded default instead.</summary>
    [JsonStringEnumMemberName("not_configured")]
    NotConfigured,

    /// <summary>Configured and answering.</summary>
    [JsonStringEnumMemberName("reachable")]
    Reachable,

    /// <summary>Configured but not answering, or answering with an error.</summary>
    [JsonStringEnumMemberName("unreachable")]
    Unreachable,
}

/// <summary>One dependency's state, as <c>/api/health</c> reports it.</summary>
/// <param name="Status">Configured and reachable or not.</param>
/// <param name="Required">Whether the hub is unhealthy without it (only Cosmos DB is).</param>
/// <param name="Detail">A short, secret-free explanation: the endpoint's host, an error's first line.</param>
/// <param name="LatencyMs">How long the probe took.</param>
public sealed record DependencyState(DependencyStatus Status, bool Required, string? Detail = null, double? LatencyMs = null);

/// <summary>
/// A check of one external dependency (Cosmos DB, Vault, Pulsar, n8n, Livy). Each feature registers its
/// own; health and the dependency gauge both ask them, so there is one definition of "reachable".
/// </summary>
public interface IDependencyProbe
{
    /// <summary>The dependency's name in health output, e.g. <c>cosmos</c>.</summary>
    string Name { get; }

    /// <summary>Checks the dependency. Implementations answer within a few seconds and never throw.</summary>
    Task<DependencyState> ProbeAsync(CancellationToken cancellationToken);
}
