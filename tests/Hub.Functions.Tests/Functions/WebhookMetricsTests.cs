using System.Diagnostics.Metrics;
using IntegrationHub.Core.Webhooks;

namespace IntegrationHub.Functions.Tests.Functions;

/// <summary>The webhook refusals counter (<c>hub.webhook.rejected</c> on the <c>IntegrationHub.Webhooks</c> meter, <c>hub_webhook_rejected_total</c> in Prometheus) by connector and reason.</summary>
public sealed class WebhookMetricsTests
{
    [Fact]
    public void Refusals_are_counted_by_connector_and_reason()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var metrics = new WebhookMetrics(services.GetRequiredService<IMeterFactory>());
        var seen = new Dictionary<(string?, string?), long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == WebhookMetrics.MeterName && instrument.Name == "hub.webhook.rejected")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? connector = null, reason = null;
            foreach (var tag in tags)
            {
                connector = tag.Key == "connector" ? tag.Value as string : connector;
                reason = tag.Key == "reason" ? tag.Value as string : reason;
            }

            seen[(connector, reason)] = value;
        });
        listener.Start();

        metrics.Reject("github", "bad_signature");
        metrics.Reject("github", "bad_signature");
        metrics.Reject("slack", "stale_timestamp");
        listener.RecordObservableInstruments();

        Assert.Equal(2, seen[("github", "bad_signature")]);
        Assert.Equal(1, seen[("slack", "stale_timestamp")]);
    }
}
