using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace IntegrationHub.Connectors.Http;

/// <summary>
/// What one connection (connector + credential) shares across operations: its retry and circuit-breaker
/// pipeline, its pacing token bucket, and the moment an API said its quota comes back.
/// </summary>
internal sealed class ConnectionResources : IDisposable
{
    internal static readonly ResiliencePropertyKey<ConnectorHttp.AttemptState> StateKey = new("IntegrationHub.Connectors.Attempt");

    private readonly Lock _gate = new();
    private DateTimeOffset _blockedUntil;

    public ConnectionResources(ConnectorDescriptor descriptor, ConnectorOptions options, TimeProvider time, ILogger logger)
    {
        var resilience = options.Resilience;
        var connectorId = descriptor.Id;
        Pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, resilience.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = resilience.BaseDelay,
                MaxDelay = resilience.MaxRateLimitWait,
                ShouldHandle = args => ValueTask.FromResult(resilience.MaxRetries > 0 && ShouldRetry(args.Outcome, time, resilience.MaxRateLimitWait, args.Context.Properties.GetValue(StateKey, null!)?.DefersRateLimits ?? false)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response
                    ? RateLimitHeaders.Parse(response, time.GetUtcNow())?.Wait ?? RateLimitHeaders.RetryAfter(response, time.GetUtcNow())
                    : null),
                OnRetry = args =>
                {
                    var reason = Reason(args.Outcome, time);
                    Logs.Retrying(logger, connectorId, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, reason.Text);
                    args.Context.Properties.GetValue(StateKey, null!)?.OnRetry(args.RetryDelay, reason.Text, reason.RateLimited);
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = resilience.BreakerFailureRatio,
                MinimumThroughput = resilience.BreakerMinimumThroughput,
                SamplingDuration = resilience.BreakerSamplingDuration,
                BreakDuration = resilience.BreakerBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome)),
                OnOpened = args =>
                {
                    Logs.CircuitOpened(logger, connectorId, args.BreakDuration.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        if (options.Pacing.Enabled && descriptor.RateLimit is { } limit)
        {
            Limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = limit.TokenLimit,
                TokensPerPeriod = limit.TokensPerPeriod,
                ReplenishmentPeriod = limit.Period,
                QueueLimit = options.Pacing.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }
    }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    /// <summary>The pacing bucket, or <see langword="null"/> when the connector is unpaced.</summary>
    public TokenBucketRateLimiter? Limiter { get; }

    /// <summary>When the API last said its quota is used up, until when; no request goes out before.</summary>
    public DateTimeOffset BlockedUntil
    {
        get
        {
            lock (_gate)
            {
                return _blockedUntil;
            }
        }
    }

    public void BlockUntil(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (until > _blockedUntil)
            {
                _blockedUntil = until;
            }
        }
    }

    public void Dispose() => Limiter?.Dispose();

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeProvider time, TimeSpan maxWait, bool deferRateLimits)
    {
        if (outcome.Exception is not null)
        {
            return IsTransient(outcome.Exception);
        }

        var response = outcome.Result!;
        if (RateLimitHeaders.Parse(response, time.GetUtcNow()) is { } signal)
        {
            // A wait longer than allowed is not slept through: the caller gets a RateLimitedException naming it.
            // A deferring caller (a run's activity) sleeps through none: its orchestration waits on a durable timer.
            return !deferRateLimits && (signal.Wait is null || signal.Wait <= maxWait);
        }

        if (deferRateLimits && response.Headers.RetryAfter is not null)
        {
            // A 503 with Retry-After asks for a wait too: not slept here either (the run retries it on a durable timer).
            return false;
        }

        return IsTransientStatus(response.StatusCode);
    }

    private static bool IsFailure(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } e ? IsTransient(e) : (int)outcome.Result!.StatusCode >= 500;

    private static bool IsTransient(Exception exception) => exception switch
    {
        AttemptTimeoutException => true,
        HttpRequestException e => e.InnerException is not RefusedDestinationException,
        _ => false,
    };

    private static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static (string Text, bool RateLimited) Reason(Outcome<HttpResponseMessage> outcome, TimeProvider time)
    {
        if (outcome.Exception is { } e)
        {
            return (e is AttemptTimeoutException ? "timeout" : "network error", false);
        }

        var response = outcome.Result!;
        return RateLimitHeaders.Parse(response, time.GetUtcNow()) is { } signal
            ? (signal.Reason, true)
            : ($"{(int)response.StatusCode}", false);
    }
}

/// <summary>One attempt ran out of <see cref="HttpOptions.AttemptTimeout"/>; retried like a network error.</summary>
internal sealed class AttemptTimeoutException(TimeSpan timeout) : TimeoutException($"no response within {timeout.TotalSeconds:0.#} s")
{
}
