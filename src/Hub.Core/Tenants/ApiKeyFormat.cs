using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace IntegrationHub.Core.Tenants;

/// <summary>
/// API keys look like <c>ihk_{tenant}_{keyId}_{secret}</c>. The tenant and key id let the hub find the
/// stored hash with one point read (no scan); the secret is 32 random bytes in hex. Only the SHA-256
/// of the whole key is stored, and it is compared in constant time.
/// </summary>
public static partial class ApiKeyFormat
{
    private const string Prefix = "ihk";

    /// <summary>A new key for a tenant: the text to show once, and its id and hash to store.</summary>
    public static (string Key, string KeyId, string Hash) Generate(string tenantId)
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var key = $"{Prefix}_{tenantId}_{keyId}_{secret}";
        return (key, keyId, HashOf(key));
    }

    /// <summary>Splits a presented key; false for anything not shaped like one of ours.</summary>
    public static bool TryParse(string? key, [NotNullWhen(true)] out string? tenantId, [NotNullWhen(true)] out string? keyId)
    {
        tenantId = keyId = null;
        if (key is null || !KeyShape().IsMatch(key))
        {
            return false;
        }

        var parts = key.Split('_');
        tenantId = parts[1];
        keyId = parts[2];
        return true;
    }

    /// <summary>The stored hash of a key.</summary>
    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Whether a presented key matches a stored hash, in constant time.</summary>
    public static bool Matches(string key, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashOf(key)), Encoding.ASCII.GetBytes(storedHash));

    [GeneratedRegex("^ihk_[a-z0-9][a-z0-9-]{1,62}_[0-9a-f]{12}_[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyShape();
}
