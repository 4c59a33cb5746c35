using System.Diagnostics.Metrics;

namespace IntegrationHub.Pulsar.Diagnostics;

/// <summary>
/// The Pulsar client's instruments on meter <c>IntegrationHub.Pulsar</c> (exported at <c>/api/metrics</c>):
/// what was published and how fast, what is waiting for a receipt, how often sessions had to be rebuilt, and what
/// the command consumer did.
/// </summary>
public sealed class PulsarMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "IntegrationHub.Pulsar";

    private readonly Counter<long> _published;
    private readonly Histogram<double> _publishDuration;
    private readonly UpDownCounter<long> _pending;
    private readonly Counter<long> _resent;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _commands;

    public PulsarMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounter<long>("hub.pulsar.messages.published", "{message}", "Messages with a receipt, by topic and result (ok, duplicate: dropped by broker deduplication, error).");
        _publishDuration = meter.CreateHistogram<double>(
            "hub.pulsar.publish.duration",
            "s",
            "From sending a message to its receipt.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _pending = meter.CreateUpDownCounter<long>("hub.pulsar.messages.pending", "{message}", "Messages sent and not yet receipted.");
        _resent = meter.CreateCounter<long>("hub.pulsar.messages.resent", "{message}", "Messages sent again on a new session because their receipt never came.");
        _reconnects = meter.CreateCounter<long>("hub.pulsar.reconnects", "{session}", "Producer sessions rebuilt after a drop, refusal or timeout.");
        _commands = meter.CreateCounter<long>("hub.pulsar.commands", "{command}", "Inbound commands by outcome: processed, failed (will be retried), dead_lettered.");
    }

    internal void Published(string topic, string result, int count = 1) =>
        _published.Add(count, new("topic", topic), new("result", result));

    internal void PublishLatency(string topic, TimeSpan elapsed) =>
        _publishDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("topic", topic));

    internal void Pending(int delta) => _pending.Add(delta);

    internal void Resent(string topic, int count) => _resent.Add(count, new KeyValuePair<string, object?>("topic", topic));

    internal void Reconnect(string topic) => _reconnects.Add(1, new KeyValuePair<string, object?>("topic", topic));

    internal void Command(string outcome) => _commands.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
