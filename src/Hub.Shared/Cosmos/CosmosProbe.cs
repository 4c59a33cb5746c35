using System.Diagnostics;
using IntegrationHub.Shared.Diagnostics;

namespace IntegrationHub.Shared.Cosmos;

/// <summary>Cosmos DB is reachable when the account answers; the detail says whether the hub's database is ready yet.</summary>
internal sealed class CosmosProbe(HubCosmos cosmos) : IDependencyProbe
{
    public string Name => "cosmos";

    public async Task<DependencyState> ProbeAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await cosmos.Client.ReadAccountAsync().WaitAsync(timeout.Token);
            var detail = cosmos.Ready.IsCompletedSuccessfully ? $"{Host()}/{cosmos.Options.Database}" : $"{Host()}: creating database '{cosmos.Options.Database}'";
            return new DependencyState(DependencyStatus.Reachable, Required: true, detail, watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? "no answer within 3s" : FirstLine(e.Message);
            return new DependencyState(DependencyStatus.Unreachable, Required: true, $"{Host()}: {reason}", watch.Elapsed.TotalMilliseconds);
        }
    }

    private string Host() => Uri.TryCreate(cosmos.Options.Endpoint, UriKind.Absolute, out var uri) ? uri.Authority : "cosmos";

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 200 ? line[..200] : line;
    }
}
