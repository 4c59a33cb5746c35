using System.Diagnostics;
using IntegrationHub.Pulsar.WebSocket;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Pulsar.Diagnostics;

/// <summary>
/// Pulsar is reachable when its WebSocket service answers HTTP at <c>/status.html</c> (the service's VIP status
/// resource; 200 "OK" in rotation, 404 when no status file is configured: both mean the service is up).
/// Not required: without Pulsar the hub keeps events in its default sink.
/// </summary>
internal sealed class PulsarProbe(IOptions<PulsarOptions> options, IHttpClientFactory httpClients) : IDependencyProbe
{
    /// <summary>The named HttpClient the probe uses.</summary>
    public const string HttpClientName = "pulsar-probe";

    public string Name => "pulsar";

    public async Task<DependencyState> ProbeAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.IsConfigured)
        {
            return new DependencyState(DependencyStatus.NotConfigured, Required: false, "Pulsar__ServiceUrl is empty; events go to the default sink");
        }

        var watch = Stopwatch.StartNew();
        Uri status;
        try
        {
            status = PulsarEndpoints.Status(settings);
        }
        catch (UriFormatException e)
        {
            return new DependencyState(DependencyStatus.Unreachable, Required: false, e.Message);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var response = await httpClients.CreateClient(HttpClientName)
                .GetAsync(status, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            var detail = $"{status.Authority}: HTTP {code} from /status.html";
            return code < 500
                ? new DependencyState(DependencyStatus.Reachable, Required: false, detail, watch.Elapsed.TotalMilliseconds)
                : new DependencyState(DependencyStatus.Unreachable, Required: false, detail, watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? "no answer within 3s" : e.Message.Split('\n', 2)[0];
            return new DependencyState(DependencyStatus.Unreachable, Required: false, $"{status.Authority}: {reason}", watch.Elapsed.TotalMilliseconds);
        }
    }
}
