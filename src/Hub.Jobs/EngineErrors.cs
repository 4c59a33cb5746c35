using System.Text.Json;
using System.Text.RegularExpressions;

namespace IntegrationHub.Jobs;

/// <summary>Reads an engine's explanation out of an error response, in whichever shape the engine uses.</summary>
internal static partial class EngineErrors
{
    private const int MaxLength = 500;

    /// <summary>
    /// The engine's message: the <c>message</c> (n8n) or <c>msg</c> (Livy) member of a JSON body, the
    /// <c>&lt;pre&gt;</c> reason of a Jetty error page (Livy's CSRF filter), or the body's first characters.
    /// Reads at most a few kilobytes: an error page must not cost memory.
    /// </summary>
    public static async Task<string> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new char[8192];
            using var reader = new StreamReader(stream);
            var read = await reader.ReadBlockAsync(buffer, cancellationToken);
            body = new string(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return response.ReasonPhrase ?? "no body";
        }

        return FromBody(body) ?? response.ReasonPhrase ?? "no body";
    }

    /// <summary>The request's path without its query (before sending it is relative; after, absolute): what error messages name.</summary>
    /// <summary>Throws the client's own exception, built by <paramref name="failure"/> from the engine's message, for a non-success answer.</summary>
    public static async Task EnsureSuccessAsync(HttpRequestMessage request, HttpResponseMessage response, Func<HttpRequestMessage, System.Net.HttpStatusCode?, string, Exception?, Exception> failure, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw failure(request, response.StatusCode, await ReadMessageAsync(response, cancellationToken), null);
        }
    }

    public static string PathOf(HttpRequestMessage request) => request.RequestUri switch
    {
        null => "/",
        { IsAbsoluteUri: true } uri => uri.AbsolutePath,
        var uri => "/" + uri.OriginalString.Split('?', 2)[0],
    };

    /// <summary>The message inside an error body, or <see langword="null"/> when the body is empty.</summary>
    public static string? FromBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        var trimmed = body.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(trimmed);
                foreach (var name in (string[])["message", "msg", "error"])
                {
                    if (json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        return Cut(value.GetString()!);
                    }
                }
            }
            catch (JsonException)
            {
                // A cut or malformed body: fall through to the text.
            }
        }

        var pre = PreBlock().Match(body);
        if (pre.Success)
        {
            return Cut(pre.Groups[1].Value.Trim());
        }

        return Cut(Tags().Replace(body, " ").Trim());
    }

    private static string Cut(string text)
    {
        var collapsed = Whitespace().Replace(text, " ");
        return collapsed.Length > MaxLength ? collapsed[..MaxLength] + "..." : collapsed;
    }

    [GeneratedRegex("<pre>(.*?)</pre>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex PreBlock();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
