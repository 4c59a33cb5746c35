using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Core.Runs;

/// <summary>
/// Advances a run created on demand right away, in the background, instead of waiting for the next
/// <c>ResumeRuns</c> tick. Best effort: if this process stops first, <c>ResumeRuns</c> picks the run up
/// once its lease lapses, from its last checkpoint.
/// </summary>
public sealed class RunKicker(RunEngine engine, ILogger<RunKicker> logger) : BackgroundService
{
    private readonly Channel<(string TenantId, string RunId)> _queue = Channel.CreateBounded<(string, string)>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Queues a run to be advanced now; dropped (left to ResumeRuns) when the queue is full.</summary>
    public void Kick(string tenantId, string runId) => _queue.Writer.TryWrite((tenantId, runId));

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (tenantId, runId) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await engine.AdvanceAsync(tenantId, runId, null, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Logs.AdvanceFailed(logger, runId, e);
            }
        }
    }
}
