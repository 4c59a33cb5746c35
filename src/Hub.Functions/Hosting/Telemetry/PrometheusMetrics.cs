using IntegrationHub.Shared.Diagnostics;
using Prometheus;

namespace IntegrationHub.Functions.Hosting.Telemetry;

/// <summary>
/// The hub's <see cref="System.Diagnostics.Metrics"/> instruments (every <c>IntegrationHub.*</c> meter and
/// ASP.NET Core's request durations) in the Prometheus text exposition format, by prometheus-net's
/// <see cref="MeterAdapter"/> into a registry of the hub's own (no process or runtime collectors: the
/// platform scrapes those elsewhere).
/// </summary>
/// <remarks>
/// Shape of the output (prometheus-net 8 MeterAdapter): one series per instrument and tag set, named
/// <c>{meter}_{instrument}</c> lower-cased with every other character as <c>_</c> (meter
/// <c>IntegrationHub.Runs</c>, counter <c>runs.started</c>: <c>integrationhub_runs_runs_started</c>), tags as
/// labels, values in the instrument's own unit. Counters are written as <c>gauge</c> (the adapter's choice: a
/// .NET counter may be re-created and restart from zero); histograms as Prometheus histograms. A series
/// not updated for 5 minutes is dropped (<see cref="MeterAdapterOptions.MetricsExpireAfter"/>).
/// </remarks>
public sealed class PrometheusMetrics : IDisposable
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly IDisposable _adapter;

    /// <summary>Starts listening; instruments created later are picked up too.</summary>
    public PrometheusMetrics()
    {
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = _registry,
            // MetricFactory wins over Registry and defaults to the process-wide default registry: without this
            // line every series lands there and this registry stays empty (found by PrometheusMetricsTests).
            MetricFactory = Metrics.WithCustomRegistry(_registry),
            InstrumentFilterPredicate = instrument => HubMeters.IsExported(instrument.Meter.Name),
        });
    }

    /// <summary>The content type of <see cref="WriteAsync"/>'s output (text format 0.0.4).</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes every current value to <paramref name="destination"/> (UTF-8 text, format 0.0.4), polling observable instruments first.</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) => _registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _adapter.Dispose();
}
