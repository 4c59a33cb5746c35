namespace IntegrationHub.Functions.Api;

/// <summary>The paging convention of every list endpoint: <c>?limit=</c> (1-200, default 50) and <c>?continuationToken=</c> from the previous page.</summary>
public static class Paging
{
    /// <summary>Items per page when the caller does not say.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The most items a page may hold.</summary>
    public const int MaxLimit = 200;

    /// <summary>A problem when <paramref name="limit"/> is out of range, else null.</summary>
    public static IResult? Validate(int? limit) => limit is < 1 or > MaxLimit ? ApiProblems.Validation("limit", $"must be between 1 and {MaxLimit}.") : null;
}
