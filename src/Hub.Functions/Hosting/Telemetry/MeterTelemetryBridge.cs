using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Metrics;

namespace IntegrationHub.Functions.Hosting.Telemetry;

/// <summary>
/// Sends every <c>IntegrationHub.*</c> <see cref="System.Diagnostics.Metrics"/> instrument to Application
/// Insights as custom metrics (namespace = meter name, metric = instrument name, dimensions = tags).
/// </summary>
/// <remarks>
/// The core SDK does not listen to <see cref="Meter"/>s, so this <see cref="MeterListener"/> feeds
/// <see cref="TelemetryClient.GetMetric(MetricIdentifier)"/>, which pre-aggregates per minute (count, sum,
/// min, max) and sends one item per series. For counters the minute's sum is the increase in that minute;
/// for histograms min/max/avg summarise the recorded values. Observable instruments are polled every
/// <see cref="ObservationInterval"/>. At most 10 tags per measurement are kept (the SDK's dimension limit),
/// in key order.
/// </remarks>
public sealed class MeterTelemetryBridge : IDisposable
{
    /// <summary>How often observable instruments (gauges, observable counters) are read.</summary>
    public static readonly TimeSpan ObservationInterval = TimeSpan.FromSeconds(30);

    private const int MaxDimensions = 10;

    private readonly TelemetryClient _client;
    private readonly TimeProvider _time;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Dimensions), Metric> _metrics = new();
    private ITimer? _observer;

    /// <summary>Creates the bridge; nothing is listened to before <see cref="Start"/>.</summary>
    public MeterTelemetryBridge(TelemetryClient client, TimeProvider time)
    {
        _client = client;
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith(HubMeters.Prefix + ".", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<short>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<byte>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, v, tags, _) => Record(i, (double)v, tags));
    }

    /// <summary>Starts listening to every matching meter, including ones created later, and polling observable instruments.</summary>
    public void Start()
    {
        _listener.Start();
        _observer ??= _time.CreateTimer(_ => _listener.RecordObservableInstruments(), null, ObservationInterval, ObservationInterval);
    }

    /// <summary>Reads observable instruments now (also done on a timer and before a flush).</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <inheritdoc />
    public void Dispose()
    {
        _observer?.Dispose();
        _listener.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var count = Math.Min(tags.Length, MaxDimensions);
        var pairs = new KeyValuePair<string, object?>[count];
        tags[..count].CopyTo(pairs);
        Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));

        var names = new string[count];
        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = pairs[i].Key;
            values[i] = Convert.ToString(pairs[i].Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }

        var metric = _metrics.GetOrAdd(
            (instrument, string.Join('\u001f', names)),
            static (key, state) => state.Client.GetMetric(new MetricIdentifier(key.Instrument.Meter.Name, key.Instrument.Name, state.Names)),
            (Client: _client, Names: names));
        if (metric.TryGetDataSeries(out var series, true, values))
        {
            series.TrackValue(value);
        }
    }
}
