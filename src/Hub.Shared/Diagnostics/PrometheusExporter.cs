using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace IntegrationHub.Shared.Diagnostics;

/// <summary>
/// Collects the hub's <see cref="System.Diagnostics.Metrics"/> instruments and renders them in the
/// Prometheus text exposition format (version 0.0.4).
/// </summary>
/// <remarks>
/// The OpenTelemetry Prometheus exporter does not restore here, and a scrape endpoint is all the hub
/// needs locally, so this is a small <see cref="MeterListener"/>: counters become <c>_total</c> counters,
/// up-down counters and gauges become gauges, histograms get cumulative buckets with <c>_sum</c> and
/// <c>_count</c>. Names follow the Prometheus conventions: dots become underscores and a unit of
/// seconds or bytes becomes a suffix.
/// </remarks>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _states = new();

    /// <summary>
    /// Starts listening to every exported meter of this app, including ones created later. Only meters made by
    /// <paramref name="meters"/> (this app's factory) count: another host in the same process — a test running
    /// beside this one — has meters of the same names that are none of this app's business.
    /// </summary>
    public PrometheusExporter(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (HubMeters.IsExported(instrument.Meter.Name) && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                _states.TryAdd(instrument, new InstrumentState(instrument, BucketsOf(instrument)));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _states.TryRemove(instrument, out InstrumentState? removed);
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Renders every instrument's current values.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _states.Values.GroupBy(s => s.MetricName).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = group.First();
            if (!string.IsNullOrEmpty(first.Instrument.Description))
            {
                text.Append("# HELP ").Append(first.ExportName).Append(' ').Append(first.Instrument.Description.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            }

            text.Append("# TYPE ").Append(first.ExportName).Append(' ').Append(first.Kind switch
            {
                MetricKind.Counter => "counter",
                MetricKind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');
            foreach (var state in group)
            {
                state.Render(text);
            }
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct, IConvertible
    {
        if (_states.TryGetValue(instrument, out var state))
        {
            state.Record(Convert.ToDouble(value, CultureInfo.InvariantCulture), tags);
        }
    }

    private static double[] BucketsOf(Instrument instrument) => instrument switch
    {
        Histogram<double> { Advice.HistogramBucketBoundaries: { } b } => b.ToArray(),
        Histogram<long> { Advice.HistogramBucketBoundaries: { } b } => b.Select(x => (double)x).ToArray(),
        Histogram<int> { Advice.HistogramBucketBoundaries: { } b } => b.Select(x => (double)x).ToArray(),
        _ => DefaultBuckets,
    };

    private enum MetricKind
    {
        Counter,
        Gauge,
        Histogram,
    }

    private sealed class InstrumentState
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly double[] _buckets;

        public InstrumentState(Instrument instrument, double[] buckets)
        {
            Instrument = instrument;
            _buckets = buckets;
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            Kind = generic == typeof(Histogram<>) ? MetricKind.Histogram
                : generic == typeof(Counter<>) || generic == typeof(ObservableCounter<>) ? MetricKind.Counter
                : MetricKind.Gauge;
            Cumulative = generic == typeof(ObservableCounter<>) || generic == typeof(ObservableUpDownCounter<>) || generic == typeof(ObservableGauge<>) || generic == typeof(Gauge<>);
            MetricName = Sanitize(instrument.Name) + UnitSuffix(instrument.Unit, Sanitize(instrument.Name));
            ExportName = Kind == MetricKind.Counter && !MetricName.EndsWith("_total", StringComparison.Ordinal) ? MetricName + "_total" : MetricName;
        }

        public Instrument Instrument { get; }

        public MetricKind Kind { get; }

        public string MetricName { get; }

        public string ExportName { get; }

        // Observable instruments and gauges report the value itself, not an increment.
        private bool Cumulative { get; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            var series = _series.GetOrAdd(labels, _ => new Series(_buckets.Length));
            lock (series)
            {
                if (Kind == MetricKind.Histogram)
                {
                    series.Count++;
                    series.Sum += value;
                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        if (value <= _buckets[i])
                        {
                            series.Buckets[i]++;
                        }
                    }
                }
                else if (Cumulative)
                {
                    series.Sum = value;
                }
                else
                {
                    series.Sum += value;
                }
            }
        }

        public void Render(StringBuilder text)
        {
            foreach (var (labels, series) in _series.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (Kind != MetricKind.Histogram)
                    {
                        Line(text, ExportName, labels, null, series.Sum);
                        continue;
                    }

                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        Line(text, MetricName + "_bucket", labels, Format(_buckets[i]), series.Buckets[i]);
                    }

                    Line(text, MetricName + "_bucket", labels, "+Inf", series.Count);
                    Line(text, MetricName + "_sum", labels, null, series.Sum);
                    Line(text, MetricName + "_count", labels, null, series.Count);
                }
            }
        }

        private static void Line(StringBuilder text, string name, string labels, string? le, double value)
        {
            text.Append(name);
            if (labels.Length > 0 || le is not null)
            {
                text.Append('{').Append(labels);
                if (le is not null)
                {
                    text.Append(labels.Length > 0 ? "," : string.Empty).Append("le=\"").Append(le).Append('"');
                }

                text.Append('}');
            }

            text.Append(' ').Append(Format(value)).Append('\n');
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return string.Empty;
            }

            var pairs = new List<KeyValuePair<string, object?>>(tags.Length);
            foreach (var tag in tags)
            {
                pairs.Add(tag);
            }

            pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return string.Join(",", pairs.Select(p => $"{Sanitize(p.Key)}=\"{Escape(Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? string.Empty)}\""));
        }

        private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        private static string Format(double value) => double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

        private static string Sanitize(string name)
        {
            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '_')
                {
                    chars[i] = '_';
                }
            }

            return new string(chars);
        }

        private static string UnitSuffix(string? unit, string name) => unit switch
        {
            "s" when !name.EndsWith("_seconds", StringComparison.Ordinal) => "_seconds",
            "By" when !name.EndsWith("_bytes", StringComparison.Ordinal) => "_bytes",
            _ => string.Empty,
        };
    }

    private sealed class Series(int buckets)
    {
        public long[] Buckets { get; } = new long[buckets];

        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
