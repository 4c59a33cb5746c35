using IntegrationHub.Core.Integrations;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Core.Runs;

/// <summary>
/// Starts a run for every enabled integration whose NCRONTAB schedule has a slot due. Only the latest due
/// slot is ever run: a hub that was down for an hour runs a five-minute schedule once, not twelve times.
/// The run id is derived from the integration and the slot, so two instances, or a timer that fires
/// twice, start each slot once.
/// </summary>
public sealed class SyncScheduler(IntegrationStore integrations, RunLauncher launcher, IOptions<RunsOptions> options, TimeProvider time, ILogger<SyncScheduler> logger)
{
    /// <summary>Starts the due slots; returns the runs started.</summary>
    public async Task<IReadOnlyList<Run>> StartDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var started = new List<Run>();
        await foreach (var integration in integrations.ScheduledAsync(cancellationToken))
        {
            if (!IntegrationSchedule.TryParse(integration.Schedule, out var schedule, out _))
            {
                continue; // validated on save; an old document with a bad schedule is skipped, not fatal
            }

            var state = await integrations.GetStateAsync(integration.TenantId, integration.Id, cancellationToken);
            var since = Max(state.LastScheduledSlot ?? integration.CreatedAt, now - options.Value.ScheduleLookback);
            if (LatestSlot(schedule, since, now) is not { } slot)
            {
                continue;
            }

            try
            {
                // Record the slot first: whatever happens next, it is not started twice.
                await integrations.ReplaceStateAsync(state with { LastScheduledSlot = slot }, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                continue; // another instance is handling this integration right now
            }

            if (state.ActiveRunId is not null && !await IsFinishedAsync(integration, state.ActiveRunId, cancellationToken))
            {
                Logs.SlotSkipped(logger, integration.Id, slot, $"run {state.ActiveRunId} is still in progress");
                continue;
            }

            if (await launcher.StartSlotAsync(integration, slot, cancellationToken) is { } run)
            {
                Logs.SlotStarted(logger, slot, integration.Id, integration.TenantId, run.Id);
                started.Add(run);
            }
        }

        return started;
    }

    /// <summary>The latest occurrence in (<paramref name="since"/>, <paramref name="now"/>], if any.</summary>
    public static DateTimeOffset? LatestSlot(IntegrationSchedule schedule, DateTimeOffset since, DateTimeOffset now)
    {
        DateTimeOffset? latest = null;
        foreach (var occurrence in schedule.GetOccurrences(since, now))
        {
            latest = occurrence;
        }

        return latest;
    }

    private async Task<bool> IsFinishedAsync(Integration integration, string runId, CancellationToken cancellationToken) =>
        await launcher.GetRunAsync(integration.TenantId, runId, cancellationToken) is null or { IsTerminal: true };

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
