using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Core.Runs;

/// <summary>How runs (Durable Functions orchestrations) behave. Section <c>Runs</c>; app settings <c>Runs__*</c>.</summary>
public sealed class RunsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Runs";

    /// <summary>
    /// <c>SyncPage</c> activity calls (of <see cref="PagesPerActivity"/> pages each) one orchestration generation makes before it continues as new (<c>ContinueAsNew</c>), so its history stays
    /// small however many records a run reads (Durable Functions docs, "Eternal orchestrations": histories grow with every
    /// activity and are replayed in full).
    /// </summary>
    [Range(1, 10000)]
    public int PagesPerGeneration { get; set; } = 50;

    /// <summary>
    /// Pages one <c>SyncPage</c> activity syncs before it hands back to the orchestration (each page still read, written
    /// to the outbox, published and committed on its own). More than one amortizes Durable's cost per activity (two
    /// queue messages, a history append and a replay) over several pages; the orchestration still sees a cancel, a
    /// rate limit or a failure at the page it happens on, since the activity stops there. A generation
    /// (<see cref="PagesPerGeneration"/>) counts activity calls.
    /// </summary>
    [Range(1, 100)]
    public int PagesPerActivity { get; set; } = 5;

    /// <summary>Attempts of a step before the run fails.</summary>
    [Range(1, 100)]
    public int MaxStepAttempts { get; set; } = 5;

    /// <summary>First retry delay; doubles per attempt with jitter.</summary>
    [Range(1, 3600)]
    public int RetryBaseDelaySeconds { get; set; } = 5;

    /// <summary>Longest retry delay.</summary>
    [Range(1, 86400)]
    public int RetryMaxDelaySeconds { get; set; } = 300;

    /// <summary>A run that has not moved for this long is reported stalled.</summary>
    [Range(10, 86400)]
    public int StallAfterSeconds { get; set; } = 600;

    /// <summary>A run still going after this long fails.</summary>
    [Range(1, 10080)]
    public int DeadlineMinutes { get; set; } = 360;

    /// <summary>A missed schedule slot older than this is not run (only the latest slot ever is).</summary>
    [Range(1, 10080)]
    public int ScheduleLookbackMinutes { get; set; } = 1440;
}
