using Microsoft.ApplicationInsights;

namespace IntegrationHub.Functions.Hosting.Telemetry;

/// <summary>
/// Starts the metric bridge and dependency listener with the host, and flushes what is buffered when it
/// stops (the Functions host stops instances on scale-in; without a flush the last minute of metrics and
/// up to 30 s of telemetry would be lost).
/// </summary>
internal sealed class TelemetryLifetime(MeterTelemetryBridge metrics, DependencyTelemetryListener dependencies, TelemetryClient client) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Start();
        dependencies.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        metrics.Observe();
        await client.FlushAsync(cancellationToken);
    }
}
