namespace IntegrationHub.Jobs;

/// <summary>
/// The answer to starting an external job: the reference to checkpoint, and its status at that moment.
/// </summary>
/// <remarks>
/// Some jobs finish within the start call (an n8n workflow that answers its webhook with its result):
/// then <see cref="Status"/> is already <see cref="JobStatus.Succeeded"/> or <see cref="JobStatus.Failed"/>
/// and there is nothing to poll. Otherwise it is <see cref="JobStatus.Pending"/> and <see cref="Reference"/>
/// is what the run engine stores and later hands to <see cref="IJobEngine.PollAsync"/>.
/// </remarks>
/// <param name="Reference">The job's reference, or <see langword="null"/> when the job finished within the call and left nothing to poll.</param>
/// <param name="Status">The job's status right after starting.</param>
public sealed record JobStart(JobReference? Reference, JobStatus Status);
