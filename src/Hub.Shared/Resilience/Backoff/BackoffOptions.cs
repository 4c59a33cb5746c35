namespace IntegrationHub.Shared.Resilience.Backoff;

/// <summary>
/// The hub's one backoff policy: retry a failed operation after exponentially growing waits — <see cref="FirstDelay"/>,
/// then twice that, four times, ... capped at <see cref="MaxDelay"/> — at most <see cref="MaxRetries"/> times.
/// Built into a Polly v8 retry strategy by <see cref="BackoffResiliencePipelineBuilderExtensions.AddBackoff"/>.
/// </summary>
/// <remarks>
/// Delays follow Polly's <c>DelayBackoffType.Exponential</c>: retry <c>n</c> (1-based) waits <c>FirstDelay × 2^(n-1)</c>,
/// never more than <see cref="MaxDelay"/>; with <see cref="UseJitter"/> Polly's decorrelated jitter spreads them
/// (so instances that failed together do not retry in the same instant). Waits run on the pipeline's
/// <see cref="TimeProvider"/>, so tests move them with a fake clock. A cancelled operation is never retried.
/// </remarks>
public sealed class BackoffOptions
{
    /// <summary>The wait before the first retry. Default 1 s.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt; <see cref="int.MaxValue"/> retries until the operation succeeds or is cancelled. Default 3.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Whether Polly's jitter spreads the waits. Default false.</summary>
    public bool UseJitter { get; init; }

    /// <summary>Which failures are worth another attempt (cancellation never is). Default: every exception.</summary>
    public Func<Exception, bool> ShouldRetry { get; init; } = static _ => true;

    /// <summary>Called before each wait, e.g. to log it; gets the failure, the retry's number (1-based) and the wait.</summary>
    public Func<BackoffRetry, ValueTask>? OnRetry { get; init; }
}

/// <summary>A retry about to wait.</summary>
/// <param name="Retry">1 for the first retry.</param>
/// <param name="Delay">How long it waits first.</param>
/// <param name="Failure">What failed.</param>
public readonly record struct BackoffRetry(int Retry, TimeSpan Delay, Exception Failure);
