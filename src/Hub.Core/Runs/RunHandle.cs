using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Runs;

/// <summary>This instance lost a run's lease (it expired and another instance took the run over).</summary>
public sealed class LeaseLostException(string runId) : Exception($"The lease on run '{runId}' was taken over by another instance.")
{
}

/// <summary>
/// A run this instance holds the lease on. Every write goes through <see cref="SaveAsync"/>, which
/// renews the lease and checks, by ETag, that nobody else has taken the run over meanwhile. The only
/// other writer allowed while the lease is held is a cancel request, which is merged in. A heartbeat
/// renews the lease while a step waits inside the process (e.g. a short rate-limit pause).
/// </summary>
internal sealed class RunHandle : IAsyncDisposable
{
    private readonly RunStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lease;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ITimer _heartbeat;

    private RunHandle(Run run, string owner, RunStore store, TimeProvider time, TimeSpan lease)
    {
        Current = run;
        Owner = owner;
        _store = store;
        _time = time;
        _lease = lease;
        _heartbeat = time.CreateTimer(_ => _ = HeartbeatAsync(), null, lease / 3, lease / 3);
    }

    /// <summary>The run as last written.</summary>
    public Run Current { get; private set; }

    /// <summary>This instance's id.</summary>
    public string Owner { get; }

    /// <summary>Whether a cancel request has arrived.</summary>
    public bool CancelRequested => Current.CancelRequested;

    /// <summary>Takes the lease on <paramref name="run"/> unless another live instance holds it.</summary>
    public static async Task<RunHandle?> TryAcquireAsync(Run run, string owner, RunStore store, TimeProvider time, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (run.LeaseOwner is not null && run.LeaseOwner != owner && run.LeaseExpiresAt > now)
        {
            return null;
        }

        try
        {
            var taken = await store.ReplaceAsync(
                run with
                {
                    LeaseOwner = owner,
                    LeaseExpiresAt = now + lease,
                    StartedAt = run.StartedAt ?? now,
                    Status = run.Status is RunStatus.Pending or RunStatus.Waiting or RunStatus.RateLimited ? RunStatus.Running : run.Status,
                },
                cancellationToken);
            return new RunHandle(taken, owner, store, time, lease);
        }
        catch (ConcurrencyConflictException)
        {
            return null; // another instance got there first
        }
    }

    /// <summary>Applies <paramref name="change"/> and writes the run, renewing the lease.</summary>
    public async Task SaveAsync(Func<Run, Run> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var next = change(Current) with { LeaseOwner = Owner, LeaseExpiresAt = _time.GetUtcNow() + _lease };
            await WriteAsync(next, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Applies <paramref name="change"/>, writes the run and gives the lease up.</summary>
    public async Task ReleaseAsync(Func<Run, Run> change, CancellationToken cancellationToken)
    {
        await _heartbeat.DisposeAsync();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await WriteAsync(change(Current) with { LeaseOwner = null, LeaseExpiresAt = null }, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _heartbeat.DisposeAsync();
        _gate.Dispose();
    }

    private async Task WriteAsync(Run next, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                Current = await _store.ReplaceAsync(next with { ETag = Current.ETag }, cancellationToken);
                return;
            }
            catch (ConcurrencyConflictException)
            {
                var fresh = await _store.GetAsync(Current.TenantId, Current.Id, cancellationToken);
                if (fresh is null || fresh.LeaseOwner != Owner)
                {
                    throw new LeaseLostException(Current.Id);
                }

                // Someone asked to cancel while we held the lease: keep our progress, take their request.
                Current = fresh;
                next = next with { CancelRequested = next.CancelRequested || fresh.CancelRequested };
            }
        }
    }

    private async Task HeartbeatAsync()
    {
        try
        {
            await SaveAsync(r => r, CancellationToken.None);
        }
        catch (Exception e) when (e is LeaseLostException or ObjectDisposedException or ConcurrencyConflictException or Microsoft.Azure.Cosmos.CosmosException or HttpRequestException)
        {
            // The next regular save reports it.
        }
    }
}
