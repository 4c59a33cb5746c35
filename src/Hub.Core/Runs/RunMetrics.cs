using System.Diagnostics.Metrics;
using IntegrationHub.Shared.Diagnostics;

namespace IntegrationHub.Core.Runs;

/// <summary>The run engine's instruments, on the <c>IntegrationHub.Runs</c> meter.</summary>
public sealed class RunMetrics : IDisposable
{
    private readonly Meter _meter;

    /// <summary>Creates the instruments.</summary>
    public RunMetrics(IMeterFactory meters)
    {
        _meter = meters.Create($"{HubMeters.Prefix}.Runs");
        Started = _meter.CreateCounter<long>("hub.runs.started", description: "Runs created, by trigger.");
        Ended = _meter.CreateCounter<long>("hub.runs.ended", description: "Runs that ended, by status.");
        Stalled = _meter.CreateCounter<long>("hub.runs.stalled", description: "Times a run was found making no progress.");
        Records = _meter.CreateCounter<long>("hub.runs.records", description: "Records through the pipeline, by stage (read, published, dead_lettered).");
        PageDuration = _meter.CreateHistogram<double>("hub.runs.page.duration", unit: "s", description: "Time to read, transform, publish and checkpoint one page.");
        StepRetries = _meter.CreateCounter<long>("hub.runs.step.retries", description: "Step retries, by step type.");
    }

    /// <summary>Runs created.</summary>
    public Counter<long> Started { get; }

    /// <summary>Runs ended.</summary>
    public Counter<long> Ended { get; }

    /// <summary>Stalls detected.</summary>
    public Counter<long> Stalled { get; }

    /// <summary>Records by stage.</summary>
    public Counter<long> Records { get; }

    /// <summary>Page durations.</summary>
    public Histogram<double> PageDuration { get; }

    /// <summary>Step retries.</summary>
    public Counter<long> StepRetries { get; }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
