using System.Diagnostics.Metrics;
using System.Text;
using System.Text.RegularExpressions;
using IntegrationHub.Functions.Hosting.Telemetry;

namespace IntegrationHub.Deployment.Tests.Telemetry;

/// <summary>
/// <c>/api/metrics</c>' source: <see cref="PrometheusMetrics"/> writes the instruments of <c>IntegrationHub.*</c>
/// meters in the Prometheus text exposition format, with their current values, and leaves other meters out.
/// </summary>
public sealed class PrometheusMetricsTests
{
    [Fact]
    public async Task A_counter_on_an_IntegrationHub_meter_is_written_with_its_value_and_another_meters_is_not()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        using var metrics = new PrometheusMetrics();
        using var hubMeter = new Meter("IntegrationHub.Test");
        using var otherMeter = new Meter("Other.Test");
        var counter = hubMeter.CreateCounter<long>($"hub_prom_probe_{suffix}");
        counter.Add(2);
        counter.Add(3);
        otherMeter.CreateCounter<long>($"other_prom_probe_{suffix}").Add(7);

        var text = await ScrapeAsync(metrics);

        // Named {meter}_{instrument} in Prometheus form; a .NET counter is written as a gauge by prometheus-net's MeterAdapter.
        var name = $"integrationhub_test_hub_prom_probe_{suffix}";
        var sample = Regex.Match(text, $@"(?m)^{name} (?<value>\S+)$");
        Assert.True(sample.Success, "The hub counter is not in the output:\n" + text);
        Assert.Equal(5, double.Parse(sample.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches($@"(?m)^# TYPE {name} gauge$", text);
        Assert.DoesNotContain($"other_prom_probe_{suffix}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_output_follows_the_instruments_current_values()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        using var metrics = new PrometheusMetrics();
        using var meter = new Meter("IntegrationHub.Test");
        var depth = 4;
        meter.CreateObservableGauge($"hub_prom_depth_{suffix}", () => depth);

        Assert.Matches($@"(?m)^integrationhub_test_hub_prom_depth_{suffix} 4$", await ScrapeAsync(metrics));
        depth = 9;
        Assert.Matches($@"(?m)^integrationhub_test_hub_prom_depth_{suffix} 9$", await ScrapeAsync(metrics));
    }

    [Fact]
    public void The_content_type_is_the_text_format_0_0_4()
    {
        // Prometheus "Exposition formats": text format version 0.0.4, UTF-8.
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", PrometheusMetrics.ContentType);
    }

    private static async Task<string> ScrapeAsync(PrometheusMetrics metrics)
    {
        using var buffer = new MemoryStream();
        await metrics.WriteAsync(buffer, CancellationToken.None);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
