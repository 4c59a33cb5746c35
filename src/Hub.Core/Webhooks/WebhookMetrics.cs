using System.Diagnostics.Metrics;
using IntegrationHub.Shared.Diagnostics;

namespace IntegrationHub.Core.Webhooks;

/// <summary>Webhook instruments, on the <c>IntegrationHub.Webhooks</c> meter (exported at <c>/api/metrics</c>).</summary>
public sealed class WebhookMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = $"{HubMeters.Prefix}.Webhooks";

    private readonly Meter _meter;

    /// <summary>Creates the instruments.</summary>
    public WebhookMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        Rejected = _meter.CreateCounter<long>("hub_webhook_rejected_total", description: "Webhook requests refused, by connector and reason (missing_signature, bad_signature, stale_timestamp, malformed).");
        Deliveries = _meter.CreateCounter<long>("hub_webhook_deliveries_total", description: "Webhook deliveries by connector and outcome (accepted, duplicate).");
        Events = _meter.CreateCounter<long>("hub_webhook_events_total", description: "Events of webhook deliveries by connector and stage (published, unchanged, dead_lettered).");
    }

    /// <summary>Refused requests; tags <c>connector</c>, <c>reason</c>.</summary>
    public Counter<long> Rejected { get; }

    /// <summary>Deliveries; tags <c>connector</c>, <c>outcome</c>.</summary>
    public Counter<long> Deliveries { get; }

    /// <summary>Events; tags <c>connector</c>, <c>stage</c>.</summary>
    public Counter<long> Events { get; }

    /// <summary>Counts a refusal.</summary>
    public void Reject(string connector, string reason) =>
        Rejected.Add(1, new KeyValuePair<string, object?>("connector", connector), new KeyValuePair<string, object?>("reason", reason));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
