using System.Text.Json.Serialization;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Tenants;

/// <summary>A tenant: the unit of isolation. Every other document carries its id as partition key.</summary>
public sealed record Tenant : TenantDocument
{
    /// <summary>Document type in the shared <c>tenants</c> container.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "tenant";

    /// <summary>A human name.</summary>
    public required string DisplayName { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>A disabled tenant's keys are refused.</summary>
    public bool Disabled { get; init; }

    /// <summary>The id of a tenant's own document (one per partition).</summary>
    public static string DocumentId => "tenant";
}

/// <summary>An API key's stored form: its hash, never the key itself.</summary>
public sealed record ApiKey : TenantDocument
{
    /// <summary>Document type in the shared <c>tenants</c> container.</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "apikey";

    /// <summary>The key's public id, part of the key text.</summary>
    public required string KeyId { get; init; }

    /// <summary>What the key is for, e.g. "ci pipeline".</summary>
    public required string Name { get; init; }

    /// <summary>SHA-256 of the whole key, hex.</summary>
    public required string Hash { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was revoked; a revoked key is refused.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>The document id of a key.</summary>
    public static string DocumentIdOf(string keyId) => $"apikey-{keyId}";
}
