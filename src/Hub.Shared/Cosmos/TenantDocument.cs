using System.Text.Json.Serialization;

namespace IntegrationHub.Shared.Cosmos;

/// <summary>
/// The shape every stored model shares: an id, the tenant that owns it (the partition key) and the
/// ETag Cosmos gives each version, which every update must present.
/// </summary>
public abstract record TenantDocument
{
    /// <summary>The document id, unique within its tenant.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>The owning tenant; the partition key.</summary>
    [JsonPropertyName("tenantId")]
    public required string TenantId { get; init; }

    /// <summary>The version Cosmos assigned on the last write; presented as If-Match on the next one.</summary>
    [JsonPropertyName("_etag")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ETag { get; init; }
}
