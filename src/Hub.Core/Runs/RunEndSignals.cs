using System.Collections.Concurrent;

namespace IntegrationHub.Core.Runs;

/// <summary>
/// Wakes the requests of this process that wait for a run's end (<c>GET /api/v1/runs/{id}?waitSeconds=</c>) the
/// moment this process records that end, so they answer without waiting for their next read of the run document.
/// </summary>
/// <remarks>
/// A hint, never the truth: the waiter still reads the run document, and keeps re-reading it on its interval, since
/// the run may end on another instance (whose signal never reaches this one). One entry per run someone waits for,
/// removed when the run ends here or when its waiter gives up.
/// </remarks>
public sealed class RunEndSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>A task that completes when <see cref="Ended"/> is called for <paramref name="runId"/> in this process.</summary>
    public Task WhenEnded(string runId) =>
        _waiting.GetOrAdd(runId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Wakes every waiter of <paramref name="runId"/> (the run's end was just recorded).</summary>
    public void Ended(string runId)
    {
        if (_waiting.TryRemove(runId, out var signal))
        {
            signal.TrySetResult();
        }
    }

    /// <summary>Drops <paramref name="runId"/>'s entry when its waiter gives up (another waiter of it then falls back to reading the document).</summary>
    public void Forget(string runId)
    {
        if (_waiting.TryGetValue(runId, out var signal) && !signal.Task.IsCompleted)
        {
            _waiting.TryRemove(new KeyValuePair<string, TaskCompletionSource>(runId, signal));
        }
    }

    /// <summary>Runs waited for now (for tests and diagnostics).</summary>
    public int Count => _waiting.Count;
}
