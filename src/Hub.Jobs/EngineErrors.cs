using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IntegrationHub.Jobs;

/// <summary>
/// The one HTTP error shape of the job-engine clients (n8n, Livy): sending with a deadline, refusing a non-success
/// answer, reading a JSON answer, and the message every failure carries (<c>n8n answered 404 to GET /api/v1/workflows/7:
/// Not Found</c>, <c>Livy did not answer to POST /batches: no answer within 30 s</c>). Each client supplies
/// <c>failure</c>, which logs and builds its own <see cref="JobEngineException"/> from <see cref="Describe"/>.
/// </summary>
/// <remarks>The engine's explanation is read in whichever shape the engine uses; messages name the path only, never the query or a credential (both clients send keys in headers).</remarks>
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

    /// <summary>Throws the client's own exception, built by <paramref name="failure"/> from the engine's message, for a non-success answer.</summary>
    public static async Task EnsureSuccessAsync(HttpRequestMessage request, HttpResponseMessage response, Func<HttpRequestMessage, HttpStatusCode?, string, Exception?, Exception> failure, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw failure(request, response.StatusCode, await ReadMessageAsync(response, cancellationToken), null);
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> (headers read, body not yet); a network error, or <paramref name="timeoutToken"/>
    /// firing while <paramref name="callerToken"/> has not, is the client's failure (no status: the engine did not answer).
    /// </summary>
    /// <param name="http">The client's <see cref="HttpClient"/>.</param>
    /// <param name="request">The call.</param>
    /// <param name="timeout">The deadline behind <paramref name="timeoutToken"/> (or the client's own <see cref="HttpClient.Timeout"/>), for the message.</param>
    /// <param name="timeoutToken">Cancelled at the deadline (may be <paramref name="callerToken"/> when the client's timeout applies).</param>
    /// <param name="callerToken">The caller's token: its cancellation propagates as is.</param>
    /// <param name="failure">Builds the client's exception.</param>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, TimeSpan timeout, Func<HttpRequestMessage, HttpStatusCode?, string, Exception?, Exception> failure, CancellationToken timeoutToken, CancellationToken callerToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(failure);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutToken);
        }
        catch (HttpRequestException e)
        {
            throw failure(request, null, e.Message, e);
        }
        catch (OperationCanceledException e) when (!callerToken.IsCancellationRequested)
        {
            throw failure(request, null, $"no answer within {timeout.TotalSeconds:0.###} s", e);
        }
    }

    /// <summary>Reads a JSON answer as <typeparamref name="T"/>; an empty or unreadable body is the client's failure, with the status it came with.</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequestMessage request, HttpResponseMessage response, JsonSerializerOptions json, Func<HttpRequestMessage, HttpStatusCode?, string, Exception?, Exception> failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(failure);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync<T>(stream, json, cancellationToken) ?? throw failure(request, response.StatusCode, "empty answer", null);
        }
        catch (JsonException e)
        {
            throw failure(request, response.StatusCode, $"unreadable answer: {e.Message}", e);
        }
    }

    /// <summary>The message of a failed call: <c>{engine} answered {status} to {METHOD} {path}: {message}</c>, or <c>did not answer</c> without a status.</summary>
    public static string Describe(string engine, HttpRequestMessage request, HttpStatusCode? status, string message)
    {
        ArgumentNullException.ThrowIfNull(request);
        var answered = status is { } s ? $"answered {(int)s}" : "did not answer";
        return $"{engine} {answered} to {request.Method} {PathOf(request)}: {message}";
    }

    /// <summary>The request's path without its query (before sending it is relative; after, absolute): what error messages name.</summary>
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
