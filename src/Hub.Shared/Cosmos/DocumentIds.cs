namespace IntegrationHub.Shared.Cosmos;

/// <summary>
/// The one id rule every document the hub stores follows, checked by <see cref="DocumentSet{T}"/> before
/// any request reaches the store: ids and partition keys (tenant ids) of 1 to <see cref="MaxLength"/>
/// ASCII letters, digits, '-', '_', '.' and ':', starting with a letter, a digit or '_'.
/// </summary>
/// <remarks>
/// <para>Stricter than Cosmos DB itself on purpose. Cosmos DB forbids '/', '\', '?' and '#' in an id
/// (Azure Cosmos DB docs, "Resource model / Properties of an item": <c>id</c>), and ids travel in the
/// request path in Gateway mode, where the SDK does not escape them: a '%' is then decoded by the server
/// (<c>%2e%2e</c> becomes <c>..</c>, which addresses the container, not a document), control characters and
/// non-ASCII text are mangled, and '.'/'..' are path segments. Every id the hub makes
/// (<c>cred-3f9a…</c>, <c>run-…</c>, 64-hex hashes, tenant ids, <c>int-…:state</c>, the operator's
/// <c>_operator</c> idempotency scope) fits this rule, so an id
/// that does not cannot name anything stored.</para>
/// </remarks>
public static class DocumentIds
{
    /// <summary>The longest id, in characters (Cosmos DB's limit for <c>id</c> is 1,023 bytes; the hub uses far less).</summary>
    public const int MaxLength = 255;

    /// <summary>Why <paramref name="id"/> cannot be a document id or partition key, or null when it can.</summary>
    public static string? Problem(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "must not be empty.";
        }

        if (id.Length > MaxLength)
        {
            return $"must be at most {MaxLength} characters.";
        }

        if (!char.IsAsciiLetterOrDigit(id[0]) && id[0] != '_')
        {
            return "must start with a letter, a digit or '_'.";
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':'))
            {
                return "may contain only letters, digits, '-', '_', '.' and ':'.";
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="id"/> follows the rule.</summary>
    public static bool IsValid(string? id) => Problem(id) is null;
}

/// <summary>
/// A document id (or tenant id) that does not follow <see cref="DocumentIds"/> was given to a write: no
/// request was sent. Domain layers report it as a field error on the field the id came from.
/// </summary>
public sealed class InvalidDocumentIdException(string id, string reason)
    : ArgumentException($"'{Shorten(id)}' is not a valid id: it {reason}")
{
    /// <summary>The id, shortened for messages.</summary>
    public string Id { get; } = Shorten(id);

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; } = reason;

    private static string Shorten(string id) => id.Length <= 80 ? id : id[..80] + "…";
}

/// <summary>
/// A continuation token that this hub did not issue for this query, or that the store no longer accepts:
/// the caller should list again from the first page. Domain layers report it as a field error on
/// <c>continuationToken</c> (400), never as a store outage.
/// </summary>
public sealed class InvalidContinuationTokenException(string reason, Exception? inner = null) : ArgumentException(reason, inner)
{
    /// <summary>What is wrong with the token.</summary>
    public string Reason { get; } = reason;
}
