using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace IntegrationHub.Connectors.Http;

/// <summary>
/// A connector's HTTP client for one operation: every request is paced by the connection's token bucket,
/// held back while the API's quota is used up, retried with jittered backoff that obeys <c>Retry-After</c>
/// and the reset headers, guarded by a circuit breaker and a per-attempt timeout, and sent through the
/// SSRF guard. Responses are returned after the headers (<see cref="HttpCompletionOption.ResponseHeadersRead"/>)
/// so bodies stream; a non-success answer becomes a <see cref="ConnectorException"/> naming the connector, the status
/// and its <see cref="ConnectorErrorKind"/>. For a caller that sets <see cref="ConnectorContext.DeferRateLimits"/> (a run's
/// activity) no rate-limit wait is slept: the answer becomes <see cref="RateLimitedException"/> at once.
/// </summary>
/// <remarks>
/// <para>One instance serves one operation (a read, a check, an action). Every GET it sends is a page request of that
/// read: a GET equal (method and absolute URL) to one already sent fails with <see cref="PaginationStalledException"/>
/// before it goes out, whatever the connector's pagination style.</para>
/// <para>Redirects (301, 302, 303, 307, 308; at most <c>Connectors__Network__MaxRedirects</c>) are followed here, not by
/// the handler: a hop to another origin (scheme, host and port, RFC 6454) is sent without any header but
/// <c>Accept</c>, <c>Accept-Encoding</c>, <c>Accept-Language</c> and <c>User-Agent</c>, so no credential the connector set
/// (Authorization, a custom API-key header, Cookie) follows it; a hop whose URL carries a credential value is refused;
/// https is never followed to http. The handler keeps no cookies.</para>
/// </remarks>
public sealed class ConnectorHttp
{
    private readonly HttpClient _client;
    private readonly ConnectionResources _connection;
    private readonly ConnectorContext _context;
    private readonly ConnectorMetrics _metrics;
    private readonly ConnectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, int> _pageRequests = new(StringComparer.Ordinal);
    private readonly string[] _secrets;

    internal ConnectorHttp(
        HttpClient client,
        ConnectionResources connection,
        ConnectorDescriptor descriptor,
        ConnectorContext context,
        ConnectorMetrics metrics,
        ConnectorOptions options,
        TimeProvider time,
        ILogger logger)
    {
        _client = client;
        _connection = connection;
        Descriptor = descriptor;
        _context = context;
        _metrics = metrics;
        _options = options;
        _time = time;
        _logger = logger;
        _secrets = SecretValues(context);
    }

    /// <summary>The connector this client sends for.</summary>
    public ConnectorDescriptor Descriptor { get; }

    /// <summary>Sends a GET to <paramref name="uri"/> and returns the successful response, body unread.</summary>
    public Task<HttpResponseMessage> GetAsync(Uri uri, Action<HttpRequestMessage> authorize, CancellationToken cancellationToken) =>
        SendAsync(() => Prepare(new HttpRequestMessage(HttpMethod.Get, uri), authorize), cancellationToken);

    /// <summary>Sends a GET and parses the JSON body from the response stream.</summary>
    public async Task<(JsonDocument Body, HttpResponseHeaders Headers)> GetJsonAsync(Uri uri, Action<HttpRequestMessage> authorize, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(uri, authorize, cancellationToken);
        return (await ReadJsonAsync(response, cancellationToken), response.Headers);
    }

    /// <summary>Sends the request <paramref name="create"/> builds (once per attempt) and returns the successful response, body unread.</summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(create);
        var resilience = ResilienceContextPool.Shared.Get(cancellationToken);
        var attempt = new AttemptState(this, create);
        resilience.Properties.Set(ConnectionResources.StateKey, attempt);
        HttpResponseMessage response;
        try
        {
            response = await _connection.Pipeline.ExecuteAsync(
                static (context, state) => state.SendOnceAsync(context.CancellationToken),
                resilience,
                attempt);
        }
        catch (HttpRequestException e) when (e.InnerException is RefusedDestinationException refused)
        {
            Logs.DestinationRefused(_logger, Descriptor.Id, refused.Host, refused.Address, refused.Range);
            throw new DestinationRefusedException(Descriptor.Id, refused.Host, refused.Address, refused.Range);
        }
        catch (HttpRequestException e)
        {
            throw new ConnectorException(Descriptor.Id, null, $"{Descriptor.DisplayName}: the request failed: {e.Message}", e);
        }
        catch (AttemptTimeoutException e)
        {
            throw new ConnectorException(Descriptor.Id, null, $"{Descriptor.DisplayName}: {e.Message} (Connectors__Http__AttemptTimeout).", e);
        }
        catch (BrokenCircuitException e)
        {
            throw new ConnectorException(Descriptor.Id, null, $"{Descriptor.DisplayName}: too many failures; requests paused{(e.RetryAfter is { } after ? $" for {after.TotalSeconds:0} s" : "")} (circuit open).", e);
        }
        finally
        {
            attempt.EndWait();
            ResilienceContextPool.Shared.Return(resilience);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await FailureAsync(response, cancellationToken);
        }
    }

    /// <summary>Parses a JSON body from the response stream, without an intermediate string.</summary>
    public async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            return await JsonDocument.ParseAsync(stream, default, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new ConnectorException(Descriptor.Id, (int)response.StatusCode, $"{Descriptor.DisplayName} answered {(int)response.StatusCode} with a body that is not JSON: {e.Message}", e);
        }
    }

    /// <summary>A failure the API reported in a successful HTTP answer, classified by its status alone (<see cref="ConnectorException.KindOf"/>).</summary>
    public ConnectorException ApiError(int status, string detail) => ApiError(status, detail, ConnectorException.KindOf(status));

    /// <summary>
    /// A failure the API reported in its body (Slack's <c>ok: false</c>, Zulip's <c>result: error</c>), of a
    /// <paramref name="kind"/> the connector decided from the API's error code. The message is
    /// <c>{DisplayName} answered {status}: {detail}</c>, credential values replaced by <c>***</c>.
    /// </summary>
    public ConnectorException ApiError(int status, string detail, ConnectorErrorKind kind) =>
        new(Descriptor.Id, status, kind, Redact($"{Descriptor.DisplayName} answered {status}: {detail}"));

    /// <summary><paramref name="text"/> with every credential value of this operation (4 characters or more, raw or URL-encoded) replaced by <c>***</c>.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Whether <paramref name="text"/> contains a credential value of this operation (raw or URL-encoded).</summary>
    private bool CarriesSecret(string text) => _secrets.Any(s => text.Contains(s, StringComparison.Ordinal));

    private static string[] SecretValues(ConnectorContext context) =>
        context.Credentials.Values
            .Where(v => v is { Length: >= 4 })
            .SelectMany(v => new[] { v, Uri.EscapeDataString(v), Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(v)) })
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(v => v.Length)
            .ToArray();

    /// <summary>Records a page request of this read; a repeat means the pagination does not advance.</summary>
    private void RecordPageRequest(HttpRequestMessage request)
    {
        if (request.Method != HttpMethod.Get || request.RequestUri is not { } uri)
        {
            return;
        }

        var key = uri.AbsoluteUri;
        var number = _pageRequests.Count + 1;
        if (_pageRequests.TryGetValue(key, out var first))
        {
            var shown = Redact($"GET {uri.Host}{(uri.IsDefaultPort ? "" : $":{uri.Port}")}{uri.PathAndQuery}");
            Logs.PaginationStalled(_logger, Descriptor.Id, number, first, uri.Host);
            throw new PaginationStalledException(
                Descriptor.Id,
                shown,
                number,
                first,
                $"{Descriptor.DisplayName}: the pagination does not advance: request {number} of this read repeats request {first}, {shown}. The API's next page (cursor, page token or Link) leads back to a page already read; reading on would repeat it until the run's deadline.");
        }

        _pageRequests.Add(key, number);
    }

    private static HttpRequestMessage Prepare(HttpRequestMessage request, Action<HttpRequestMessage> authorize)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        authorize(request);
        return request;
    }

    private async Task<ConnectorException> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var path = response.RequestMessage?.RequestUri?.AbsolutePath ?? "";
        var detail = await ErrorDetail.ReadAsync(response, cancellationToken);
        var text = Redact($"{Descriptor.DisplayName} answered {status} {response.ReasonPhrase} to {response.RequestMessage?.Method} {path}{(detail is null ? "" : $": {detail}")}");
        if (RateLimitHeaders.Parse(response, _time.GetUtcNow()) is { } signal)
        {
            return new RateLimitedException(Descriptor.Id, status, signal.Wait, $"{text} (rate limited{(signal.Wait is { } wait ? $"; the API asks to wait {wait.TotalSeconds:0.#} s" : "")}).");
        }

        return new ConnectorException(Descriptor.Id, status, text);
    }

    private static readonly HashSet<string> SafeAcrossOrigins = new(StringComparer.OrdinalIgnoreCase) { "Accept", "Accept-Encoding", "Accept-Language", "User-Agent" };

    /// <summary>The state of one logical request across its attempts: it reports rate-limit waits to the observer and the metrics.</summary>
    internal sealed class AttemptState(ConnectorHttp http, Func<HttpRequestMessage> create)
    {
        private bool _waiting;
        private bool _recorded;

        /// <summary>Whether the caller waits for rate limits itself (<see cref="ConnectorContext.DeferRateLimits"/>).</summary>
        public bool DefersRateLimits => http._context.DeferRateLimits;

        public async ValueTask<HttpResponseMessage> SendOnceAsync(CancellationToken cancellationToken)
        {
            EndWait();
            using var request = create();
            request.Headers.UserAgent.ParseAdd(http._options.Http.UserAgent);
            if (!_recorded)
            {
                // Once per logical request, before its first attempt: retries of one request are not repeats.
                _recorded = true;
                http.RecordPageRequest(request);
            }

            await http.WaitForQuotaAsync(this, cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(http._options.Http.AttemptTimeout);
            HttpResponseMessage response;
            try
            {
                response = await http._client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                response = await FollowRedirectsAsync(request, response, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                http._metrics.Request(http.Descriptor.Id, 0);
                throw new AttemptTimeoutException(http._options.Http.AttemptTimeout);
            }
            catch (HttpRequestException)
            {
                http._metrics.Request(http.Descriptor.Id, 0);
                throw;
            }

            http._metrics.Request(http.Descriptor.Id, (int)response.StatusCode);
            if (response.IsSuccessStatusCode && RateLimitHeaders.Exhausted(response) && RateLimitHeaders.Reset(response, http._time.GetUtcNow()) is { } reset)
            {
                // The quota is used up by this very request: hold the next one until the documented reset.
                http._connection.BlockUntil(http._time.GetUtcNow() + reset);
            }

            return response;
        }

        /// <summary>Follows redirects hop by hop; a hop to another origin carries no credential (see the class remarks).</summary>
        private async Task<HttpResponseMessage> FollowRedirectsAsync(HttpRequestMessage original, HttpResponseMessage response, CancellationToken cancellationToken)
        {
            var origin = original.RequestUri!;
            var current = origin;
            var method = original.Method;
            var foreign = false;
            for (var hops = 0; hops < http._options.Network.MaxRedirects && IsRedirect(response) && response.Headers.Location is { } location; hops++)
            {
                var target = location.IsAbsoluteUri ? location : new Uri(current, location);
                if ((target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps)
                    || (current.Scheme == Uri.UriSchemeHttps && target.Scheme == Uri.UriSchemeHttp))
                {
                    // Not followed (as the platform handler does not follow https to http): the 3xx is the answer.
                    return response;
                }

                var crossing = !foreign && !SameOrigin(origin, target);
                foreign |= crossing;
                if (foreign && http.CarriesSecret(target.OriginalString))
                {
                    Logs.RedirectCarriesCredential(http._logger, http.Descriptor.Id, origin.Host, origin.Port, target.Host, target.Port);
                    response.Dispose();
                    throw new ConnectorException(
                        http.Descriptor.Id,
                        (int)response.StatusCode,
                        ConnectorErrorKind.Request,
                        $"{http.Descriptor.DisplayName}: refused to follow a redirect from {origin.Host}:{origin.Port} to {target.Host}:{target.Port}: its URL carries a credential, and no credential may reach another origin.");
                }

                if (crossing)
                {
                    Logs.RedirectToOtherOrigin(http._logger, http.Descriptor.Id, origin.Host, origin.Port, target.Host, target.Port);
                }

                var status = (int)response.StatusCode;
                if (status == 303 || (status is 301 or 302 && method == HttpMethod.Post))
                {
                    method = HttpMethod.Get;
                }

                response.Dispose();
                using var hop = create();
                hop.RequestUri = target;
                if (hop.Method != method)
                {
                    hop.Method = method;
                    hop.Content = null;
                }

                if (foreign)
                {
                    StripForOtherOrigin(hop);
                }

                hop.Headers.UserAgent.Clear();
                hop.Headers.UserAgent.ParseAdd(http._options.Http.UserAgent);
                response = await http._client.SendAsync(hop, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                current = target;
            }

            return response;
        }

        private static bool IsRedirect(HttpResponseMessage response) =>
            (int)response.StatusCode is 301 or 302 or 303 or 307 or 308;

        /// <summary>RFC 6454 origin: scheme, host and port.</summary>
        private static bool SameOrigin(Uri a, Uri b) =>
            string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
            && a.Port == b.Port;

        /// <summary>Drops every request header but content negotiation and the user agent: whatever else the connector set may be a credential.</summary>
        private static void StripForOtherOrigin(HttpRequestMessage request)
        {
            foreach (var name in request.Headers.Select(h => h.Key).ToList())
            {
                if (!SafeAcrossOrigins.Contains(name))
                {
                    request.Headers.Remove(name);
                }
            }
        }

        public void OnRetry(TimeSpan delay, string reason, bool rateLimited)
        {
            http._metrics.Retry(http.Descriptor.Id, reason);
            if (rateLimited)
            {
                StartWait(delay, reason);
            }
        }

        public void StartWait(TimeSpan wait, string reason)
        {
            EndWait();
            _waiting = true;
            Logs.RateLimited(http._logger, http.Descriptor.Id, wait.TotalSeconds, reason);
            http._metrics.WaitStarted(http.Descriptor.Id, reason, wait);
            http._context.Observer.OnRateLimited(wait, reason);
        }

        public void EndWait()
        {
            if (_waiting)
            {
                _waiting = false;
                http._metrics.WaitEnded(http.Descriptor.Id);
                http._context.Observer.OnResumed();
            }
        }
    }

    private async ValueTask WaitForQuotaAsync(AttemptState attempt, CancellationToken cancellationToken)
    {
        var blocked = _connection.BlockedUntil - _time.GetUtcNow();
        if (blocked > TimeSpan.Zero)
        {
            if (_context.DeferRateLimits)
            {
                // Not slept here: the run's orchestration waits on a durable timer and calls the page again.
                throw new RateLimitedException(Descriptor.Id, null, blocked, $"{Descriptor.DisplayName}: the API's quota is used up for {blocked.TotalSeconds:0.#} s (X-RateLimit-Reset).");
            }

            if (blocked > _options.Resilience.MaxRateLimitWait)
            {
                throw new RateLimitedException(Descriptor.Id, null, blocked, $"{Descriptor.DisplayName}: the API's quota is used up for {blocked.TotalSeconds:0} s, longer than Connectors__Resilience__MaxRateLimitWait.");
            }

            attempt.StartWait(blocked, "quota exhausted (X-RateLimit-Reset)");
            await Task.Delay(blocked, _time, cancellationToken);
            attempt.EndWait();
        }

        if (_connection.Limiter is not { } limiter)
        {
            return;
        }

        using var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return;
        }

        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.Zero;
        attempt.StartWait(wait, "pacing");
        using var queued = await limiter.AcquireAsync(1, cancellationToken);
        attempt.EndWait();
        if (!queued.IsAcquired)
        {
            throw new RateLimitedException(Descriptor.Id, null, wait, $"{Descriptor.DisplayName}: too many requests queued for this connection (Connectors__Pacing__QueueLimit).");
        }
    }
}
