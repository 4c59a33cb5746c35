using System.Diagnostics;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Jobs.Livy;

/// <summary>Livy is reachable when it lists its batches (<c>GET /batches?from=0&amp;size=1</c>, which also proves the credentials).</summary>
internal sealed class LivyProbe(IServiceProvider services, IOptions<LivyOptions> options) : IDependencyProbe
{
    public string Name => "livy";

    public async Task<DependencyState> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
        {
            return new DependencyState(DependencyStatus.NotConfigured, Required: false, "Livy__BaseUrl is not set");
        }

        var host = new Uri(options.Value.BaseUrl).Authority;
        var watch = Stopwatch.StartNew();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            var livy = services.GetRequiredService<LivyClient>();
            await using var batches = livy.ListAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
            await batches.MoveNextAsync();
            return new DependencyState(DependencyStatus.Reachable, Required: false, host, watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is LivyException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = e is OperationCanceledException ? "no answer within 3s" : e.Message;
            return new DependencyState(DependencyStatus.Unreachable, Required: false, $"{host}: {reason}", watch.Elapsed.TotalMilliseconds);
        }
    }
}
