using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Shared.Diagnostics;

/// <summary>
/// Asks every registered <see cref="IDependencyProbe"/> at once and remembers the answers, which feed the
/// <c>hub_dependency_up</c> gauge and log a line whenever a dependency changes state.
/// </summary>
public sealed class DependencyMonitor : IDisposable
{
    private readonly IReadOnlyList<IDependencyProbe> _probes;
    private readonly ILogger<DependencyMonitor> _logger;
    private readonly ConcurrentDictionary<string, DependencyState> _last = new(StringComparer.Ordinal);
    private readonly Meter _meter;

    /// <summary>Creates the monitor and its gauge.</summary>
    public DependencyMonitor(IEnumerable<IDependencyProbe> probes, ILogger<DependencyMonitor> logger, IMeterFactory meters)
    {
        _probes = probes.ToList();
        _logger = logger;
        _meter = meters.Create($"{HubMeters.Prefix}.Health");
        _meter.CreateObservableGauge(
            "hub.dependency.up",
            () => _last.Where(p => p.Value.Status != DependencyStatus.NotConfigured)
                .Select(p => new Measurement<int>(p.Value.Status == DependencyStatus.Reachable ? 1 : 0, new KeyValuePair<string, object?>("dependency", p.Key))),
            description: "1 when a configured dependency answered its last probe, 0 when it did not.");
    }

    /// <summary>Probes every dependency in parallel and returns their states by name.</summary>
    public async Task<IReadOnlyDictionary<string, DependencyState>> CheckAsync(CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(_probes.Select(async p => (p.Name, State: await p.ProbeAsync(cancellationToken))));
        foreach (var (name, state) in results)
        {
            var previous = _last.GetValueOrDefault(name);
            _last[name] = state;
            if (previous is not null && previous.Status != state.Status)
            {
                Logs.DependencyStateChanged(_logger, name, state.Status.ToString(), state.Detail);
            }
        }

        return results.OrderBy(r => r.Name, StringComparer.Ordinal).ToDictionary(r => r.Name, r => r.State, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
