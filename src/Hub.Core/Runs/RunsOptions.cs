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
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest retry delay.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A run that has not moved for this long is reported stalled.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A run still going after this long fails.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A missed schedule slot older than this is not run (only the latest slot ever is).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan ScheduleLookback { get; set; } = TimeSpan.FromDays(1);
}
