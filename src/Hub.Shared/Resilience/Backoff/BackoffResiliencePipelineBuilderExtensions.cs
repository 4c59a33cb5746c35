using Polly;
using Polly.Retry;

namespace IntegrationHub.Shared.Resilience.Backoff;

/// <summary>Adds the hub's backoff policy (<see cref="BackoffOptions"/>) to a Polly v8 resilience pipeline.</summary>
public static class BackoffResiliencePipelineBuilderExtensions
{
    /// <summary>Adds a retry strategy with the hub's exponential backoff.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A delay is not positive, <see cref="BackoffOptions.MaxDelay"/> is below <see cref="BackoffOptions.FirstDelay"/>, or <see cref="BackoffOptions.MaxRetries"/> is below 1.</exception>
    public static ResiliencePipelineBuilder AddBackoff(this ResiliencePipelineBuilder builder, BackoffOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FirstDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDelay, options.FirstDelay, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRetries, 1, nameof(options));
        return builder.AddRetry(new RetryStrategyOptions
        {
            BackoffType = DelayBackoffType.Exponential,
            Delay = options.FirstDelay,
            MaxDelay = options.MaxDelay,
            MaxRetryAttempts = options.MaxRetries,
            UseJitter = options.UseJitter,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } e && e is not OperationCanceledException && !args.Context.CancellationToken.IsCancellationRequested && options.ShouldRetry(e)),
            OnRetry = args => options.OnRetry is { } onRetry && args.Outcome.Exception is { } failure
                ? onRetry(new BackoffRetry(args.AttemptNumber + 1, args.RetryDelay, failure))
                : ValueTask.CompletedTask,
        });
    }

    /// <summary>A pipeline of just the backoff policy, waiting on <paramref name="time"/>.</summary>
    public static ResiliencePipeline Build(this BackoffOptions options, TimeProvider time) =>
        new ResiliencePipelineBuilder { TimeProvider = time }.AddBackoff(options).Build();
}
