using System.Security.Cryptography;
using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core;

/// <summary>
/// Ids of resources: the ones the hub creates (a short kind prefix and 80 random bits in hex,
/// <c>cred-3f9a…</c>), and the rule every id a caller names must follow (tenant ids, Spark job names, ids
/// in URLs), which is <see cref="DocumentIds"/>: 1 to 255 ASCII letters, digits, '-', '_', '.' and ':',
/// starting with a letter, digit or '_'.
/// </summary>
/// <remarks>
/// Random rather than sequential, so ids reveal nothing about other tenants; safe in URLs, Cosmos ids
/// and secret-store paths. The rule is enforced in one place, <see cref="DocumentSet{T}"/>, before any
/// request reaches the store: looking up an id that breaks it finds nothing (the services answer
/// <see cref="ResourceNotFoundException"/>), and creating a resource under a caller-named id that breaks it is a
/// <see cref="ValidationFailedException"/> on that field (<see cref="StoreRefusals"/>).
/// </remarks>
public static class ResourceIds
{
    /// <summary>A new random id with <paramref name="prefix"/>, e.g. <c>int-0b7d2c…</c> (prefix, '-', 20 hex digits).</summary>
    public static string New(string prefix) => $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10))}";

    /// <summary>Whether <paramref name="id"/> can name a resource (<see cref="DocumentIds"/>).</summary>
    public static bool IsValid(string? id) => DocumentIds.IsValid(id);

    /// <summary>Refuses an id a caller chose that cannot name a resource.</summary>
    /// <exception cref="ValidationFailedException">On <paramref name="field"/>, saying what is wrong.</exception>
    public static void Require(string field, string? id)
    {
        if (DocumentIds.Problem(id) is { } problem)
        {
            throw new ValidationFailedException(field, problem);
        }
    }
}
