using System.Security.Cryptography;

namespace IntegrationHub.Core;

/// <summary>
/// Ids of resources the hub creates: a short kind prefix and 80 random bits in hex (<c>cred-3f9a…</c>).
/// Random rather than sequential, so ids reveal nothing about other tenants; safe in URLs, Cosmos ids
/// and secret-store paths.
/// </summary>
internal static class ResourceIds
{
    public static string New(string prefix) => $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10))}";
}
