using System.Globalization;
using System.Net;

namespace IntegrationHub.Connectors.Http;

/// <summary>A rate-limit answer and the wait it asks for, if it says.</summary>
/// <param name="Wait">How long to wait, from the headers; <see langword="null"/> when the API did not say (backoff applies).</param>
/// <param name="Reason">Where the wait came from, e.g. <c>429 Retry-After</c>.</param>
public sealed record RateLimitSignal(TimeSpan? Wait, string Reason);

/// <summary>
/// Reads the rate-limit headers the built-in APIs document, in one place: <c>Retry-After</c> (seconds or an
/// HTTP date: Slack, Jira, Zulip, GitHub secondary limits) and <c>X-RateLimit-Remaining: 0</c> with
/// <c>X-RateLimit-Reset</c> (epoch seconds: GitHub, Zulip; an ISO timestamp: Jira).
/// </summary>
public static class RateLimitHeaders
{
    /// <summary>The signal of a rate-limited response: any 429, or a 403 carrying rate-limit headers (GitHub); else <see langword="null"/>.</summary>
    public static RateLimitSignal? Parse(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfter(response, now);
        var reset = Exhausted(response) ? Reset(response, now) : null;
        if (response.StatusCode == HttpStatusCode.TooManyRequests || (response.StatusCode == HttpStatusCode.Forbidden && (retryAfter is not null || Exhausted(response))))
        {
            if (retryAfter is { } wait)
            {
                return new RateLimitSignal(wait, $"{status} Retry-After");
            }

            if (reset is { } untilReset)
            {
                return new RateLimitSignal(untilReset, $"{status} X-RateLimit-Reset");
            }

            return new RateLimitSignal(null, $"{status} rate limited");
        }

        return null;
    }

    /// <summary>The delay a <c>Retry-After</c> header asks for, on any status (503 may carry one too).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            return Max(date - now);
        }

        // Some APIs send fractional seconds ("1.5"), which the typed header refuses.
        if (response.Headers.TryGetValues("Retry-After", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return Max(TimeSpan.FromSeconds(seconds));
        }

        return null;
    }

    /// <summary>When the quota comes back, if the response says the quota is used up; callers pause until then.</summary>
    public static TimeSpan? Reset(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.Headers.TryGetValues("X-RateLimit-Reset", out var values) || values.FirstOrDefault() is not { } value)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            // Epoch seconds (GitHub, Zulip); a small number is a delta in seconds.
            return number > 1_000_000_000
                ? Max(DateTimeOffset.FromUnixTimeMilliseconds((long)(number * 1000)) - now)
                : Max(TimeSpan.FromSeconds(number));
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? Max(at - now) : null;
    }

    /// <summary>Whether <c>X-RateLimit-Remaining</c> says no request is left.</summary>
    public static bool Exhausted(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-RateLimit-Remaining", out var values) && values.FirstOrDefault()?.Trim() is "0" or "0.0";

    private static TimeSpan Max(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
}
