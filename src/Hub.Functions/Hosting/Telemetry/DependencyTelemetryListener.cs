using System.Diagnostics;
using System.Globalization;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Hosting.Telemetry;

/// <summary>
/// Records the hub's outgoing HTTP calls (Cosmos DB gateway, Vault, Pulsar's HTTP endpoints, connectors)
/// as Application Insights dependencies, from <see cref="HttpClient"/>'s <c>System.Net.Http</c> activities;
/// also turns on ASP.NET Core's request activity so requests carry a W3C trace context.
/// </summary>
/// <remarks>
/// Calls to the telemetry ingestion endpoint itself are skipped, or every upload would be reported by the
/// next one. URLs are recorded without their query string (it may hold tokens).
/// </remarks>
public sealed class DependencyTelemetryListener : IDisposable
{
    private const string HttpClientSource = "System.Net.Http";
    private const string AspNetCoreSource = "Microsoft.AspNetCore";

    private readonly TelemetryClient _client;
    private readonly Uri? _ingestion;
    private ActivityListener? _listener;

    /// <summary>Creates the listener; nothing is listened to before <see cref="Start"/>.</summary>
    public DependencyTelemetryListener(TelemetryClient client, IOptions<TelemetryConfiguration> configuration)
    {
        _client = client;
        _ingestion = configuration.Value.EndpointContainer?.Ingestion;
    }

    /// <summary>Starts listening.</summary>
    public void Start()
    {
        if (_listener is not null)
        {
            return;
        }

        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is HttpClientSource or AspNetCoreSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <inheritdoc />
    public void Dispose() => _listener?.Dispose();

    private bool IsIngestion(string host, string? port) =>
        _ingestion is not null
        && string.Equals(host, _ingestion.Host, StringComparison.OrdinalIgnoreCase)
        && (port is null || port == _ingestion.Port.ToString(CultureInfo.InvariantCulture));

    private void OnStopped(Activity activity)
    {
        if (activity.Source.Name != HttpClientSource || activity.Kind != ActivityKind.Client)
        {
            return;
        }

        var url = activity.GetTagItem("url.full") as string;
        Uri.TryCreate(url, UriKind.Absolute, out var uri);
        var host = activity.GetTagItem("server.address") as string ?? uri?.Host;
        var port = activity.GetTagItem("server.port") is { } p ? Convert.ToString(p, CultureInfo.InvariantCulture) : uri?.Port.ToString(CultureInfo.InvariantCulture);
        if (host is null || IsIngestion(host, port))
        {
            return;
        }

        var method = activity.GetTagItem("http.request.method") as string ?? "HTTP";
        var status = activity.GetTagItem("http.response.status_code") switch
        {
            int code => code,
            string text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) => code,
            _ => 0,
        };
        var dependency = new DependencyTelemetry
        {
            Type = "Http",
            Name = $"{method} {uri?.AbsolutePath ?? "/"}",
            Target = port is null ? host : $"{host}:{port}",
            Data = uri is null ? null : uri.GetLeftPart(UriPartial.Path),
            Timestamp = activity.StartTimeUtc,
            Duration = activity.Duration,
            ResultCode = status == 0 ? (activity.GetTagItem("error.type") as string ?? string.Empty) : status.ToString(CultureInfo.InvariantCulture),
            Success = status is > 0 and < 400 && activity.Status != ActivityStatusCode.Error,
            Id = activity.SpanId.ToHexString(),
        };
        dependency.Context.Operation.Id = activity.TraceId.ToHexString();
        if (activity.ParentSpanId != default)
        {
            dependency.Context.Operation.ParentId = activity.ParentSpanId.ToHexString();
        }

        _client.TrackDependency(dependency);
    }
}
