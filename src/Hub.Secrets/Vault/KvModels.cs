using System.Globalization;
using System.Text.Json;

namespace IntegrationHub.Secrets.Vault;

/// <summary>One version of a KV v2 secret as its metadata describes it.</summary>
/// <param name="Version">The version number, from 1.</param>
/// <param name="CreatedTime">When it was written.</param>
/// <param name="DeletionTime">When it was soft-deleted (or is scheduled to be), or null.</param>
/// <param name="Destroyed">Whether its data was destroyed for good.</param>
public sealed record KvVersion(long Version, DateTimeOffset? CreatedTime, DateTimeOffset? DeletionTime, bool Destroyed)
{
    internal static KvVersion Read(JsonElement element, long version) => new(
        element.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : version,
        Time(element, "created_time"),
        Time(element, "deletion_time"),
        element.TryGetProperty("destroyed", out var d) && d.ValueKind == JsonValueKind.True);

    // Vault writes "" for "not deleted".
    internal static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
}

/// <summary>A KV v2 secret version with its data.</summary>
/// <param name="Data">The key/value data (masked in ToString).</param>
/// <param name="Metadata">The version it is.</param>
public sealed record KvSecret(SecretValues Data, KvVersion Metadata);

/// <summary>A KV v2 secret's metadata: every version, which is current and which is oldest.</summary>
public sealed record KvMetadata(long CurrentVersion, long OldestVersion, bool CasRequired, IReadOnlyDictionary<long, KvVersion> Versions)
{
    internal static KvMetadata Read(JsonElement data)
    {
        var versions = new SortedDictionary<long, KvVersion>();
        if (data.TryGetProperty("versions", out var list) && list.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in list.EnumerateObject())
            {
                if (long.TryParse(property.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                {
                    versions[number] = KvVersion.Read(property.Value, number);
                }
            }
        }

        return new KvMetadata(
            Number(data, "current_version"),
            Number(data, "oldest_version"),
            data.TryGetProperty("cas_required", out var cas) && cas.ValueKind == JsonValueKind.True,
            versions);
    }

    private static long Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}

/// <summary>What <c>GET /v1/sys/health</c> said.</summary>
/// <param name="StatusCode">200 active, 429 standby, 472 DR secondary, 473 performance standby, 474 standby cut off from the active node, 501 not initialized, 503 sealed.</param>
/// <param name="Initialized">Whether Vault is initialized.</param>
/// <param name="Sealed">Whether it is sealed.</param>
/// <param name="Standby">Whether this node is a standby.</param>
/// <param name="Version">Vault's version, when it said.</param>
public sealed record VaultHealth(int StatusCode, bool Initialized, bool Sealed, bool Standby, string? Version);
