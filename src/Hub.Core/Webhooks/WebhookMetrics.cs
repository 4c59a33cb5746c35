using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IntegrationHub.Shared.Diagnostics;

namespace IntegrationHub.Core.Webhooks;

/// <summary>
/// Webhook instruments, on the <c>IntegrationHub.Webhooks</c> meter, exported at <c>/api/metrics</c> as
/// <c>hub_webhook_rejected_total</c> (by <c>connector</c>, <c>reason</c>), <c>hub_webhook_deliveries_total</c> (by
/// <c>connector</c>, <c>outcome</c>: accepted, duplicate) and <c>hub_webhook_events_total</c> (by <c>connector</c>,
/// <c>stage</c>: published, unchanged, dead_lettered).
/// </summary>
/// <remarks>
/// Observable counters over totals kept here: the exporter reads them at every scrape (as it reads the dependency
/// gauge), where pushed counter measurements did not reach the Prometheus adapter.
/// </remarks>
public sealed class WebhookMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = $"{HubMeters.Prefix}.Webhooks";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string, string), long> _rejected = new();
    private readonly ConcurrentDictionary<(string, string), long> _deliveries = new();
    private readonly ConcurrentDictionary<(string, string), long> _events = new();

    /// <summary>Creates the instruments.</summary>
    public WebhookMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("hub.webhook.rejected", () => Observe(_rejected, "reason"), description: "Webhook requests refused, by connector and reason (missing_signature, bad_signature, stale_timestamp, malformed).");
        _meter.CreateObservableCounter("hub.webhook.deliveries", () => Observe(_deliveries, "outcome"), description: "Webhook deliveries by connector and outcome (accepted, duplicate).");
        _meter.CreateObservableCounter("hub.webhook.events", () => Observe(_events, "stage"), description: "Events of webhook deliveries by connector and stage (published, unchanged, dead_lettered).");
    }

    /// <summary>Counts a refused request.</summary>
    public void Reject(string connector, string reason) => _rejected.AddOrUpdate((connector, reason), 1, (_, n) => n + 1);

    /// <summary>Counts a delivery: <c>accepted</c> or <c>duplicate</c>.</summary>
    public void Delivery(string connector, string outcome) => _deliveries.AddOrUpdate((connector, outcome), 1, (_, n) => n + 1);

    /// <summary>Counts events of deliveries at a stage: <c>published</c>, <c>unchanged</c>, <c>dead_lettered</c>.</summary>
    public void Events(string connector, string stage, long count)
    {
        if (count > 0)
        {
            _events.AddOrUpdate((connector, stage), count, (_, n) => n + count);
        }
    }

    /// <summary>The total of refusals of <paramref name="connector"/> for <paramref name="reason"/> so far.</summary>
    public long Rejected(string connector, string reason) => _rejected.GetValueOrDefault((connector, reason));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static List<Measurement<long>> Observe(ConcurrentDictionary<(string, string), long> totals, string label) =>
        totals.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("connector", p.Key.Item1), new KeyValuePair<string, object?>(label, p.Key.Item2))).ToList();
}
