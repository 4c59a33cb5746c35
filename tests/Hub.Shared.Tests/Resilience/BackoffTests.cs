using IntegrationHub.Shared.Resilience.Backoff;
using Microsoft.Extensions.Time.Testing;

namespace IntegrationHub.Shared.Tests.Resilience;

/// <summary>The hub's one backoff policy on Polly: doubling waits up to a cap, on the pipeline's clock, never retrying a cancellation.</summary>
public sealed class BackoffTests
{
    [Fact]
    public async Task Waits_double_from_the_first_delay_up_to_the_cap_until_the_operation_succeeds()
    {
        var time = new FakeTimeProvider();
        var waits = new List<TimeSpan>();
        var failures = 0;
        var pipeline = new BackoffOptions
        {
            FirstDelay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(30),
            MaxRetries = int.MaxValue,
            OnRetry = r =>
            {
                waits.Add(r.Delay);
                return ValueTask.CompletedTask;
            },
        }.Build(time);

        var run = pipeline.ExecuteAsync(_ => ++failures <= 7 ? throw new InvalidOperationException("down") : ValueTask.CompletedTask).AsTask();
        while (!run.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        await run;
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], waits.Select(w => w.TotalSeconds));
        Assert.Equal(8, failures);
    }

    [Fact]
    public async Task Gives_up_after_max_retries_or_at_once_on_a_failure_it_should_not_retry()
    {
        var attempts = 0;
        var limited = new BackoffOptions { FirstDelay = TimeSpan.FromMilliseconds(1), MaxRetries = 2 }.Build(TimeProvider.System);
        var picky = new BackoffOptions { FirstDelay = TimeSpan.FromMilliseconds(1), ShouldRetry = e => e is TimeoutException }.Build(TimeProvider.System);

        await Assert.ThrowsAsync<InvalidOperationException>(() => limited.ExecuteAsync(_ => { attempts++; throw new InvalidOperationException(); }).AsTask());
        Assert.Equal(3, attempts);
        attempts = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => picky.ExecuteAsync(_ => { attempts++; throw new ArgumentException("bad"); }).AsTask());
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_cancelled_operation_is_not_retried()
    {
        using var cancel = new CancellationTokenSource();
        var attempts = 0;
        var pipeline = new BackoffOptions { MaxRetries = int.MaxValue }.Build(TimeProvider.System);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.ExecuteAsync(
            ct =>
            {
                attempts++;
                cancel.Cancel();
                ct.ThrowIfCancellationRequested();
                return ValueTask.CompletedTask;
            },
            cancel.Token).AsTask());
        Assert.Equal(1, attempts);
    }
}
