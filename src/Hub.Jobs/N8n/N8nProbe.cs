using System.Diagnostics;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Jobs.N8n;

/// <summary>n8n is reachable when <c>GET /healthz</c> answers and the API key lists workflows.</summary>
internal sealed class N8nProbe(IServiceProvider services, IHttpClientFactory httpClients, IOptions<N8nOptions> options) : IDependencyProbe
{
    public string Name => "n8n";

    public async Task<DependencyState> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
        {
            return new DependencyState(DependencyStatus.NotConfigured, Required: false, "N8n__BaseUrl is not set");
        }

        var baseUrl = new Uri(options.Value.BaseUrl.EndsWith('/') ? options.Value.BaseUrl : options.Value.BaseUrl + "/");
        var watch = Stopwatch.StartNew();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var http = httpClients.CreateClient(JobsServiceCollectionExtensions.N8nHttpClient);
            using var health = await http.GetAsync(new Uri(baseUrl, "healthz"), timeout.Token);
            if (!health.IsSuccessStatusCode)
            {
                return new DependencyState(DependencyStatus.Unreachable, Required: false, $"{baseUrl.Authority}: /healthz answered {(int)health.StatusCode}", watch.Elapsed.TotalMilliseconds);
            }

            // The key is the other half of "usable": list one page of tagged workflows.
            var n8n = services.GetRequiredService<N8nClient>();
            await using var workflows = n8n.ListWorkflowsAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
            await workflows.MoveNextAsync();
            return new DependencyState(DependencyStatus.Reachable, Required: false, baseUrl.Authority, watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is N8nException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = e is OperationCanceledException ? "no answer within 3s" : e.Message;
            return new DependencyState(DependencyStatus.Unreachable, Required: false, $"{baseUrl.Authority}: {reason}", watch.Elapsed.TotalMilliseconds);
        }
    }
}
