using System.Collections.Concurrent;
using Microsoft.ApplicationInsights.Channel;

namespace IntegrationHub.Deployment.Tests.Telemetry;

/// <summary>A telemetry channel that keeps what it is given instead of sending it: no network in tests.</summary>
public sealed class CapturingChannel : ITelemetryChannel
{
    private readonly ConcurrentQueue<ITelemetry> _items = new();

    public IReadOnlyList<ITelemetry> Items => [.. _items];

    public bool? DeveloperMode { get; set; }

    public string EndpointAddress { get; set; } = "http://127.0.0.1:9/";

    public void Send(ITelemetry item) => _items.Enqueue(item);

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
