using System.Diagnostics.Metrics;

namespace IntegrationHub.Connectors.Http;

/// <summary>
/// The connectors' instruments on meter <c>IntegrationHub.Connectors</c>: requests by connector and status,
/// retries, and rate-limit waits (count, duration, and how many operations are waiting right now).
/// </summary>
public sealed class ConnectorMetrics
{
    public const string MeterName = "IntegrationHub.Connectors";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _waits;
    private readonly Histogram<double> _waitDuration;
    private readonly UpDownCounter<long> _waiting;

    public ConnectorMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("hub.connector.requests", "{request}", "HTTP requests sent by connectors, by connector and status (0: no response).");
        _retries = meter.CreateCounter<long>("hub.connector.retries", "{retry}", "Retries, by connector and reason.");
        _waits = meter.CreateCounter<long>("hub.connector.rate_limit.waits", "{wait}", "Rate-limit waits started, by connector and reason.");
        _waitDuration = meter.CreateHistogram<double>("hub.connector.rate_limit.wait_duration", "s", "Length of each rate-limit wait.");
        _waiting = meter.CreateUpDownCounter<long>("hub.connector.rate_limit.waiting", "{operation}", "Connector operations waiting for a rate limit right now.");
    }

    internal void Request(string connector, int status) =>
        _requests.Add(1, new KeyValuePair<string, object?>("connector", connector), new KeyValuePair<string, object?>("status", status));

    internal void Retry(string connector, string reason) =>
        _retries.Add(1, new KeyValuePair<string, object?>("connector", connector), new KeyValuePair<string, object?>("reason", reason));

    internal void WaitStarted(string connector, string reason, TimeSpan wait)
    {
        var tags = new[] { new KeyValuePair<string, object?>("connector", connector), new KeyValuePair<string, object?>("reason", reason) };
        _waits.Add(1, tags);
        _waitDuration.Record(wait.TotalSeconds, tags);
        _waiting.Add(1, new KeyValuePair<string, object?>("connector", connector));
    }

    internal void WaitEnded(string connector) => _waiting.Add(-1, new KeyValuePair<string, object?>("connector", connector));
}
