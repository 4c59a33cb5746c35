using System.Diagnostics;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Secrets.Vault;

/// <summary>
/// Vault in <c>/api/health</c>: not configured without <c>Vault__Address</c>; otherwise
/// <c>sys/health</c> decides — active or any standby is reachable, sealed or uninitialized is not.
/// Not required: the hub keeps serving what does not need secrets.
/// </summary>
internal sealed class VaultProbe(IOptions<VaultOptions> options, IServiceProvider services) : IDependencyProbe
{
    public string Name => "vault";

    public async Task<DependencyState> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
        {
            return new DependencyState(DependencyStatus.NotConfigured, Required: false, "secrets are kept in the local encrypted store");
        }

        var client = services.GetRequiredService<VaultClient>();
        var watch = Stopwatch.StartNew();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            var health = await client.ReadHealthAsync(timeout.Token);
            var (status, detail) = health.StatusCode switch
            {
                200 => (DependencyStatus.Reachable, client.Host),
                429 or 473 => (DependencyStatus.Reachable, $"{client.Host}: standby"),
                472 => (DependencyStatus.Reachable, $"{client.Host}: disaster-recovery secondary"),
                474 => (DependencyStatus.Reachable, $"{client.Host}: standby that cannot reach the active node"),
                501 => (DependencyStatus.Unreachable, $"{client.Host}: not initialized (501)"),
                503 => (DependencyStatus.Unreachable, $"{client.Host}: sealed (503)"),
                var code => (DependencyStatus.Unreachable, $"{client.Host}: sys/health answered {code}"),
            };
            return new DependencyState(status, Required: false, detail, watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is VaultException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? $"{client.Host}: no answer within 3s" : e.Message;
            return new DependencyState(DependencyStatus.Unreachable, Required: false, reason, watch.Elapsed.TotalMilliseconds);
        }
    }
}
