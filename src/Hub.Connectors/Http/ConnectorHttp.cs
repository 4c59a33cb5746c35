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
/// so bodies stream; a non-success answer becomes a <see cref="ConnectorException"/> naming the connector and status.
/// </summary>
public sealed class ConnectorHttp
{
    private readonly HttpClient _client;
    private readonly ConnectionResources _connection;
    private readonly ConnectorContext _context;
    private readonly ConnectorMetrics _metrics;
    private readonly ConnectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

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

    /// <summary>A failure the API reported in a successful HTTP answer (Slack's <c>ok: false</c>, Zulip's <c>result: error</c>).</summary>
    public ConnectorException ApiError(int status, string detail) =>
        new(Descriptor.Id, status, $"{Descriptor.DisplayName} answered {status}: {detail}");

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
        var text = $"{Descriptor.DisplayName} answered {status} {response.ReasonPhrase} to {response.RequestMessage?.Method} {path}{(detail is null ? "" : $": {detail}")}";
        if (RateLimitHeaders.Parse(response, _time.GetUtcNow()) is { } signal)
        {
            return new RateLimitedException(Descriptor.Id, status, signal.Wait, $"{text} (rate limited{(signal.Wait is { } wait ? $"; the API asks to wait {wait.TotalSeconds:0.#} s" : "")}).");
        }

        return new ConnectorException(Descriptor.Id, status, text);
    }

    /// <summary>The state of one logical request across its attempts: it reports rate-limit waits to the observer and the metrics.</summary>
    internal sealed class AttemptState(ConnectorHttp http, Func<HttpRequestMessage> create)
    {
        private bool _waiting;

        public async ValueTask<HttpResponseMessage> SendOnceAsync(CancellationToken cancellationToken)
        {
            EndWait();
            await http.WaitForQuotaAsync(this, cancellationToken);
            using var request = create();
            request.Headers.UserAgent.ParseAdd(http._options.Http.UserAgent);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(http._options.Http.AttemptTimeout);
            HttpResponseMessage response;
            try
            {
                response = await http._client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
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
