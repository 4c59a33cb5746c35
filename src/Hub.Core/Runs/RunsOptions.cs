using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Core.Runs;

/// <summary>How the durable run engine behaves. Section <c>Runs</c>; app settings <c>Runs__*</c>.</summary>
public sealed class RunsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Runs";

    /// <summary>How long an instance's lease on a run lasts without renewal; a crashed instance's runs are resumed after it.</summary>
    [Range(1, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>How long one invocation advances runs before checkpointing and handing over to the next timer tick.</summary>
    [Range(1, 3600)]
    public int AdvanceBudgetSeconds { get; set; } = 240;

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

    /// <summary>How many due runs one ResumeRuns invocation picks up.</summary>
    [Range(1, 1000)]
    public int ResumeBatchSize { get; set; } = 20;

    /// <summary>A missed schedule slot older than this is not run (only the latest slot ever is).</summary>
    [Range(1, 10080)]
    public int ScheduleLookbackMinutes { get; set; } = 1440;
}
