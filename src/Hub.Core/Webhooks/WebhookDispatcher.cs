using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Core.Webhooks;

/// <summary>
/// Publishes acknowledged deliveries right after the acknowledgement, off the request (senders time out: Slack 3 s,
/// GitHub 10 s), one integration at a time; and at start-up re-drives whatever an earlier instance acknowledged but
/// did not publish. The <c>DrainWebhooks</c> timer (<see cref="RedriveAsync"/>) covers the rest: an instance killed
/// between the acknowledgement and the publication, a sink that was down.
/// </summary>
public sealed class WebhookDispatcher(WebhookPublisher publisher, WebhookDeliveryStore deliveries, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private readonly Channel<(string TenantId, string IntegrationId)> _queue = Channel.CreateBounded<(string, string)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for the integration's pending deliveries to be published soon. Never blocks; when the queue is full the timer publishes them.</summary>
    public void Notify(string tenantId, string integrationId) => _queue.Writer.TryWrite((tenantId, integrationId));

    /// <summary>Publishes pending deliveries acknowledged more than <see cref="WebhookOptions.RedriveAfter"/> ago (or all with <paramref name="olderThan"/> zero); returns how many were settled.</summary>
    public async Task<int> RedriveAsync(TimeSpan? olderThan, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - (olderThan ?? options.Value.RedriveAfter);
        var stalled = await deliveries.StalledAsync(cutoff, options.Value.RedriveBatchSize, cancellationToken);
        var settled = 0;
        foreach (var integration in stalled.Select(d => (d.TenantId, d.IntegrationId)).Distinct())
        {
            settled += await publisher.PublishPendingAsync(integration.TenantId, integration.IntegrationId, cancellationToken);
        }

        if (stalled.Count > 0)
        {
            Logs.WebhooksRedriven(logger, stalled.Count, settled);
        }

        return settled;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RedriveAsync(TimeSpan.Zero, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logs.WebhookDispatchFailed(logger, "start-up", e);
        }

        await foreach (var (tenantId, integrationId) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await publisher.PublishPendingAsync(tenantId, integrationId, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Left pending: the timer publishes it.
                Logs.WebhookDispatchFailed(logger, integrationId, e);
            }
        }
    }
}
