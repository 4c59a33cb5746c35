using IntegrationHub.Shared.Diagnostics;
using Prometheus;

namespace IntegrationHub.Functions.Hosting.Telemetry;

/// <summary>
/// The hub's <see cref="System.Diagnostics.Metrics"/> instruments (every <c>IntegrationHub.*</c> meter and
/// ASP.NET Core's request durations) in the Prometheus text exposition format, by prometheus-net's
/// <see cref="MeterAdapter"/> into a registry of the hub's own (no process or runtime collectors: the
/// platform scrapes those elsewhere).
/// </summary>
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
            InstrumentFilterPredicate = instrument => HubMeters.IsExported(instrument.Meter.Name),
        });
    }

    /// <summary>The content type of <see cref="WriteAsync"/>'s output (text format 0.0.4).</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes every current value to <paramref name="destination"/>.</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) => _registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _adapter.Dispose();
}
