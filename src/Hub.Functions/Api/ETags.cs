namespace IntegrationHub.Functions.Api;

/// <summary>HTTP entity tags from Cosmos ETags, and the <c>If-Match</c> a caller sent.</summary>
public static class ETags
{
    /// <summary>The header form of a stored ETag (always quoted).</summary>
    public static string? ToHeader(string? etag) => etag is null ? null : etag.StartsWith('"') ? etag : $"\"{etag}\"";

    /// <summary>The stored form of an <c>If-Match</c> value, or null when the caller sent none (or <c>*</c>).</summary>
    public static string? IfMatch(HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString().Trim();
        if (value.Length == 0 || value == "*")
        {
            return null;
        }

        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return value;
    }

    /// <summary><paramref name="result"/> with an <c>ETag</c> header naming <paramref name="etag"/>, so the caller can send it back as If-Match.</summary>
    public static IResult WithETag(this IResult result, string? etag) => new ETagResult(result, ToHeader(etag));

    private sealed class ETagResult(IResult inner, string? etag) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (etag is not null)
            {
                httpContext.Response.Headers.ETag = etag;
            }

            return inner.ExecuteAsync(httpContext);
        }
    }
}
