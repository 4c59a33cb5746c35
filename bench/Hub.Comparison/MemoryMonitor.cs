namespace IntegrationHub.Comparison;

/// <summary>
/// Samples, every half second, every process in the groups it watches and keeps each role's peak RSS (the
/// kernel's VmHWM, so a peak between samples still counts) and each side's largest sampled sum of VmRSS (what
/// the side held at one moment). A role is named by a classifier from the command line (worker, host, ...).
/// </summary>
internal sealed class MemoryMonitor : IAsyncDisposable
{
    private readonly Dictionary<int, (string Side, Func<string, string> Role)> _groups = [];
    private readonly Dictionary<(string Side, string Role), long> _peakKb = [];
    private readonly Dictionary<string, long> _sidePeakKb = [];
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MemoryMonitor() => _loop = Task.Run(LoopAsync);

    public void Watch(int pgid, string side, Func<string, string> role)
    {
        lock (_gate)
        {
            _groups[pgid] = (side, role);
        }
    }

    /// <summary>Peak RSS in MB per side and role.</summary>
    public IReadOnlyList<(string Side, string Role, double PeakMb)> Peaks()
    {
        Sample();
        lock (_gate)
        {
            return _peakKb.Select(p => (p.Key.Side, p.Key.Role, p.Value / 1024.0)).OrderBy(p => p.Side, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>
    /// Starts the peaks afresh: the kernel's VmHWM of every watched process is reset to its current RSS
    /// (<c>/proc/PID/clear_refs</c>, value 5; Linux 4.0 and later) and the sampled sums are forgotten, so the next
    /// <see cref="Peaks"/> and <see cref="SidePeakMb"/> are those of the stretch that follows.
    /// </summary>
    public void ResetPeaks()
    {
        Dictionary<int, (string Side, Func<string, string> Role)> groups;
        lock (_gate)
        {
            groups = new(_groups);
            _peakKb.Clear();
            _sidePeakKb.Clear();
        }

        foreach (var entry in ProcessTable.Snapshot().Where(e => groups.ContainsKey(e.Pgid)))
        {
            try
            {
                File.WriteAllText($"/proc/{entry.Pid}/clear_refs", "5");
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's process: its peak stays the lifetime's.
            }
        }

        Sample();
    }

    /// <summary>The largest sampled sum of the side's RSS, in MB.</summary>
    public double SidePeakMb(string side)
    {
        lock (_gate)
        {
            return _sidePeakKb.TryGetValue(side, out var kb) ? kb / 1024.0 : 0;
        }
    }

    /// <summary>CPU seconds used so far by each side's roles (processes alive now), to profile a stretch by difference.</summary>
    public Dictionary<(string Side, string Role), double> CpuSeconds()
    {
        Dictionary<int, (string Side, Func<string, string> Role)> groups;
        lock (_gate)
        {
            groups = new(_groups);
        }

        var cpu = new Dictionary<(string Side, string Role), double>();
        foreach (var entry in ProcessTable.Snapshot().Where(e => groups.ContainsKey(e.Pgid)))
        {
            if (ProcessTable.Details(entry) is { } details)
            {
                var (side, classify) = groups[entry.Pgid];
                var key = (side, classify(details.CommandLine));
                cpu[key] = cpu.GetValueOrDefault(key) + (entry.CpuTicks / 100.0);
            }
        }

        return cpu;
    }

    /// <summary>
    /// Waits until every watched process together has used less than <paramref name="cores"/> of a core over half a
    /// second (the side that just ran has finished its tail work: n8n saving an execution, a host's timers), at most
    /// <paramref name="limit"/>; answers how long it waited.
    /// </summary>
    public async Task<TimeSpan> QuietAsync(double cores, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var before = CpuSeconds().Values.Sum();
        while (clock.Elapsed < limit)
        {
            await Task.Delay(500, cancellationToken);
            var now = CpuSeconds().Values.Sum();
            if (now - before < cores * 0.5)
            {
                break;
            }

            before = now;
        }

        return clock.Elapsed;
    }

    public void Sample()
    {
        Dictionary<int, (string Side, Func<string, string> Role)> groups;
        lock (_gate)
        {
            groups = new(_groups);
        }

        var sums = new Dictionary<string, long>();
        foreach (var entry in ProcessTable.Snapshot().Where(e => groups.ContainsKey(e.Pgid)))
        {
            if (ProcessTable.Details(entry) is not { } details || details.PeakRssKb == 0)
            {
                continue;
            }

            var (side, classify) = groups[entry.Pgid];
            var role = classify(details.CommandLine);
            lock (_gate)
            {
                var key = (side, role);
                _peakKb[key] = Math.Max(_peakKb.GetValueOrDefault(key), details.PeakRssKb);
            }

            sums[side] = sums.GetValueOrDefault(side) + details.RssKb;
        }

        lock (_gate)
        {
            foreach (var (side, kb) in sums)
            {
                _sidePeakKb[side] = Math.Max(_sidePeakKb.GetValueOrDefault(side), kb);
            }
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
