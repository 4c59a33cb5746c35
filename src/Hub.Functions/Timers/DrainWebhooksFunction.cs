using IntegrationHub.Core.Webhooks;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Timers;

/// <summary>
/// <c>DrainWebhooks</c> (NCRONTAB in app setting <c>Timers__DrainWebhooks</c>, default every 15 s): publishes webhook
/// deliveries that were acknowledged more than <c>Webhooks__RedriveAfter</c> ago and are still pending — the
/// instance that acknowledged them stopped before publishing, or the sink was unavailable. Acknowledged is never lost.
/// </summary>
public sealed class DrainWebhooksFunction(WebhookDispatcher dispatcher)
{
    /// <summary>The timer function.</summary>
    [Function("DrainWebhooks")]
    public Task RunAsync([TimerTrigger("%Timers:DrainWebhooks%")] TimerInfo timer, CancellationToken cancellationToken) =>
        dispatcher.RedriveAsync(null, cancellationToken);
}
