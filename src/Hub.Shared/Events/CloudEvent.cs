using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Shared.Events;

/// <summary>
/// A CloudEvents 1.0 event in structured JSON mode: what the hub publishes for every record it syncs,
/// whatever the sink (Pulsar, or the Cosmos event log when Pulsar is not configured).
/// </summary>
public sealed record CloudEvent
{
    /// <summary>Always <c>1.0</c>.</summary>
    [JsonPropertyName("specversion")]
    public string SpecVersion { get; init; } = "1.0";

    /// <summary>Deterministic: the same source record at the same version always gets the same id (<see cref="EventIds"/>), so consumers and sinks can drop duplicates.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>Where the event comes from: <c>/tenants/{tenant}/integrations/{integration}/streams/{stream}</c>.</summary>
    [JsonPropertyName("source")]
    public required string Source { get; init; }

    /// <summary>Reverse-DNS type, e.g. <c>com.integrationhub.github.issues.upserted</c>.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>The source record's id.</summary>
    [JsonPropertyName("subject")]
    public string? Subject { get; init; }

    /// <summary>When the record changed at the source, or when it was read.</summary>
    [JsonPropertyName("time")]
    public DateTimeOffset? Time { get; init; }

    /// <summary>Always <c>application/json</c>.</summary>
    [JsonPropertyName("datacontenttype")]
    public string DataContentType { get; init; } = "application/json";

    /// <summary>Extension attribute: the owning tenant.</summary>
    [JsonPropertyName("tenantid")]
    public required string TenantId { get; init; }

    /// <summary>Extension attribute: the integration.</summary>
    [JsonPropertyName("integrationid")]
    public string? IntegrationId { get; init; }

    /// <summary>Extension attribute: the run that published it.</summary>
    [JsonPropertyName("runid")]
    public string? RunId { get; init; }

    /// <summary>The transformed record.</summary>
    [JsonPropertyName("data")]
    public JsonElement Data { get; init; }
}

/// <summary>Deterministic event ids, so a retried run republishes the same ids and nothing is delivered twice.</summary>
public static class EventIds
{
    /// <summary>The id of the event for <paramref name="recordId"/> at <paramref name="recordVersion"/> in an integration's stream.</summary>
    public static string For(string integrationId, string stream, string recordId, string? recordVersion)
    {
        var text = $"{integrationId}\n{stream}\n{recordId}\n{recordVersion}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
