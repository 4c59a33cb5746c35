using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Shared.Events;

/// <summary>
/// A CloudEvents 1.0 event: what the hub publishes for every record it syncs, whatever the sink (Pulsar, or the
/// Cosmos event log when Pulsar is not configured). A typed view of the envelope; its JSON, wherever it is
/// written or read (Pulsar payloads, Cosmos documents, API answers), is the structured-mode JSON format of the
/// CNCF CloudEvents SDK (<see cref="CloudEventEnvelope"/>), so the spec's rules and encoding are the SDK's.
/// </summary>
[JsonConverter(typeof(CloudEventJsonConverter))]
public sealed record CloudEvent
{
    /// <summary>Always <c>1.0</c> (<c>specversion</c>).</summary>
    public string SpecVersion { get; init; } = "1.0";

    /// <summary><c>id</c>. Deterministic: the same source record at the same version always gets the same id (<see cref="EventIds"/>), so consumers and sinks can drop duplicates.</summary>
    public required string Id { get; init; }

    /// <summary><c>source</c>, a URI-reference: <c>/tenants/{tenant}/integrations/{integration}/streams/{stream}</c>.</summary>
    public required string Source { get; init; }

    /// <summary><c>type</c>: reverse-DNS, e.g. <c>com.integrationhub.github.issues.upserted</c>.</summary>
    public required string Type { get; init; }

    /// <summary><c>subject</c>: the source record's id.</summary>
    public string? Subject { get; init; }

    /// <summary><c>time</c> (RFC 3339): when the record changed at the source, or when it was read.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary><c>datacontenttype</c>: always <c>application/json</c>.</summary>
    public string DataContentType { get; init; } = "application/json";

    /// <summary>Extension attribute <c>tenantid</c>: the owning tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Extension attribute <c>integrationid</c>: the integration.</summary>
    public string? IntegrationId { get; init; }

    /// <summary>Extension attribute <c>runid</c>: the run that published it.</summary>
    public string? RunId { get; init; }

    /// <summary><c>data</c>: the transformed record (JSON).</summary>
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
