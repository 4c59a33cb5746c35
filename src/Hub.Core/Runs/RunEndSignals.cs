namespace IntegrationHub.Core.Runs;

/// <summary>
/// Wakes the requests of this process that wait for a run's end (<c>GET /api/v1/runs/{id}?waitSeconds=</c>) the
/// moment this process records that end, so they answer without waiting for their next read of the run document.
/// </summary>
/// <remarks>
/// A hint, never the truth: the waiter still reads the run document, and keeps re-reading it on its interval, since
/// the run may end on another instance (whose signal never reaches this one). One entry per run someone waits for,
/// removed when the run ends here or when its last waiter gives up.
/// </remarks>
public sealed class RunEndSignals
{
    private readonly Dictionary<string, Waiting> _waiting = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>
    /// A task that completes when <see cref="Ended"/> is called for <paramref name="runId"/> in this process; each call
    /// counts as one waiter until its <see cref="Forget"/>.
    /// </summary>
    public Task WhenEnded(string runId)
    {
        lock (_lock)
        {
            if (!_waiting.TryGetValue(runId, out var waiting))
            {
                waiting = new Waiting();
                _waiting[runId] = waiting;
            }

            waiting.Waiters++;
            return waiting.Signal.Task;
        }
    }

    /// <summary>Wakes every waiter of <paramref name="runId"/> (the run's end was just recorded).</summary>
    public void Ended(string runId)
    {
        Waiting? waiting;
        lock (_lock)
        {
            _waiting.Remove(runId, out waiting);
        }

        waiting?.Signal.TrySetResult();
    }

    /// <summary>
    /// One waiter of <paramref name="runId"/> gives up the <paramref name="signal"/> <see cref="WhenEnded"/> gave it; the
    /// entry goes with its last waiter, so the others are still woken at the end. A signal already ended (its entry
    /// gone, perhaps replaced by a later waiter's) changes nothing.
    /// </summary>
    public void Forget(string runId, Task signal)
    {
        lock (_lock)
        {
            if (_waiting.TryGetValue(runId, out var waiting) && waiting.Signal.Task == signal && --waiting.Waiters == 0)
            {
                _waiting.Remove(runId);
            }
        }
    }

    /// <summary>Runs waited for now (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    private sealed class Waiting
    {
        public TaskCompletionSource Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Waiters { get; set; }
    }
}
