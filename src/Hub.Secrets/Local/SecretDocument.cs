using System.Text.Json.Serialization;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Secrets.Local;

/// <summary>
/// One credential's encrypted values in the <c>secrets</c> container (id = credential id, partition =
/// tenant). Only ciphertext is stored; the metadata beside it says which key and version it is.
/// </summary>
internal sealed record SecretDocument : TenantDocument
{
    /// <summary>The values' version: 1 on create, +1 on every update. Part of the associated data, so an old ciphertext cannot be replayed as a newer version.</summary>
    [JsonPropertyName("version")]
    public required long Version { get; init; }

    /// <summary>The id of the key that encrypted it (<see cref="LocalSecretKey.KeyId"/>).</summary>
    [JsonPropertyName("keyId")]
    public required string KeyId { get; init; }

    /// <summary>The AES-GCM nonce (12 random bytes), base64.</summary>
    [JsonPropertyName("nonce")]
    public required string Nonce { get; init; }

    /// <summary>The encrypted JSON object of values, base64.</summary>
    [JsonPropertyName("ciphertext")]
    public required string Ciphertext { get; init; }

    /// <summary>The AES-GCM authentication tag (16 bytes), base64.</summary>
    [JsonPropertyName("tag")]
    public required string Tag { get; init; }

    /// <summary>Soft-deleted: reads return nothing, the ciphertext is kept.</summary>
    [JsonPropertyName("deleted")]
    public bool Deleted { get; init; }

    /// <summary>When this version was written.</summary>
    [JsonPropertyName("updatedAt")]
    public DateTimeOffset UpdatedAt { get; init; }

    public override string ToString() => $"SecretDocument {{ TenantId = {TenantId}, Id = {Id}, Version = {Version}, KeyId = {KeyId}, Deleted = {Deleted} }}";
}
