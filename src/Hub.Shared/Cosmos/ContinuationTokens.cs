using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Shared.Cosmos;

/// <summary>
/// The continuation tokens the hub hands out: the store's own token wrapped with the fingerprint of the
/// query it continues, as base64url (RFC 4648 §5) of <c>{"v":1,"q":"&lt;fingerprint&gt;","t":"&lt;store token&gt;"}</c>.
/// </summary>
/// <remarks>
/// A token is opaque to callers. Anything that does not decode to this shape, or that was issued for
/// another query (another filter, another tenant), is an <see cref="InvalidContinuationTokenException"/>
/// before the store sees it: the store's reaction to a foreign token ranges from a 400 to silently
/// skipping or repeating items, and none of it is an outage.
/// </remarks>
internal static class ContinuationTokens
{
    /// <summary>The longest token accepted, in characters.</summary>
    public const int MaxLength = 16 * 1024;

    private const int Version = 1;

    /// <summary>The fingerprint of a query: its text, parameters and partition.</summary>
    public static string Fingerprint(QueryDefinition query, string? tenantId)
    {
        var text = new StringBuilder(query.QueryText).Append('\n').Append(tenantId).Append('\n');
        foreach (var (name, value) in query.GetQueryParameters().OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            text.Append(name).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 12));
    }

    /// <summary>The token to hand out for the store's <paramref name="storeToken"/> (null on the last page).</summary>
    public static string? Wrap(string? storeToken, string fingerprint)
    {
        if (storeToken is null)
        {
            return null;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["v"] = Version, ["q"] = fingerprint, ["t"] = storeToken });
        return Base64Url.EncodeToString(json);
    }

    /// <summary>The store's token inside <paramref name="token"/> (null or empty: the first page).</summary>
    /// <exception cref="InvalidContinuationTokenException">Not a token of this hub, or one issued for another query.</exception>
    public static string? Unwrap(string? token, string fingerprint)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        if (token.Length > MaxLength)
        {
            throw new InvalidContinuationTokenException($"is longer than {MaxLength} characters; use the continuationToken of the previous page as given.");
        }

        byte[] json;
        try
        {
            json = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException e)
        {
            throw new InvalidContinuationTokenException(NotOurs, e);
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("v", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var version) && version == Version
                && root.TryGetProperty("q", out var q) && q.ValueKind == JsonValueKind.String
                && root.TryGetProperty("t", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } storeToken)
            {
                return q.GetString() == fingerprint
                    ? storeToken
                    : throw new InvalidContinuationTokenException("was issued for another list (other filters or another tenant); list again without it.");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidContinuationTokenException(NotOurs, e);
        }

        throw new InvalidContinuationTokenException(NotOurs);
    }

    private const string NotOurs = "is not a continuation token of this list; pass the continuationToken of the previous page unchanged, or omit it for the first page.";
}
