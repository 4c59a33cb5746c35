namespace IntegrationHub.Jobs;

/// <summary>
/// The part of an external job engine the durable run engine needs after a job started: one look at it
/// (<see cref="PollAsync"/>, a single HTTP call while it runs) and stopping it. Starting differs per
/// engine (a workflow and its payload, a Spark job definition) and lives on the engine's own type.
/// </summary>
/// <remarks>
/// Implementations never block waiting for a job to finish: the run engine owns waiting, durably, between
/// polls, so no thread is held while a Spark batch runs for hours.
/// </remarks>
public interface IJobEngine
{
    /// <summary>The engine's name, as in <see cref="JobReference.Engine"/>.</summary>
    string Name { get; }

    /// <summary>Looks at the job once.</summary>
    /// <exception cref="JobEngineException">The engine did not answer, or answered with an error (the job's state is unknown: poll again later).</exception>
    Task<JobStatus> PollAsync(JobReference reference, CancellationToken cancellationToken);

    /// <summary>Stops the job. Stopping a job that already finished or is gone is not an error.</summary>
    /// <exception cref="JobEngineException">The engine did not answer, or refused.</exception>
    Task CancelAsync(JobReference reference, CancellationToken cancellationToken);
}
