using System.Globalization;

namespace IntegrationHub.Functions.Api;

/// <summary>The paging convention of every list function: <c>?limit=</c> (1-200, default 50) and <c>?continuationToken=</c> from the previous page.</summary>
/// <param name="Limit">Items per page.</param>
/// <param name="ContinuationToken">Where the page starts; null for the first page.</param>
public sealed record Paging(int Limit, string? ContinuationToken)
{
    /// <summary>Items per page when the caller does not say.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The most items a page may hold.</summary>
    public const int MaxLimit = 200;

    /// <summary>Reads the paging parameters of <paramref name="request"/>; <paramref name="problem"/> is set (400, field <c>limit</c>) when they are not valid.</summary>
    public static Paging? Read(HttpRequest request, out IResult? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        problem = null;
        var limit = DefaultLimit;
        var text = request.Query["limit"].ToString();
        if (text.Length > 0 && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            problem = ApiProblems.Validation("limit", $"must be a whole number between 1 and {MaxLimit}.");
            return null;
        }

        return new Paging(limit, Query.Text(request, "continuationToken"));
    }
}

/// <summary>Query-string parameters of a request.</summary>
public static class Query
{
    /// <summary>The value of <paramref name="name"/>, or null when absent or empty.</summary>
    public static string? Text(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Query[name].ToString() is { Length: > 0 } value ? value : null;
    }
}
