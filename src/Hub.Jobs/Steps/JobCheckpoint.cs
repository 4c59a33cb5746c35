using System.Text.Json;
using IntegrationHub.Core.Runs.Steps;

namespace IntegrationHub.Jobs.Steps;

/// <summary>
/// How a job step keeps its external job durably: the <see cref="JobReference"/> as the step's checkpoint
/// (<c>{"engine":"livy","id":"7"}</c>), written by the run engine when the step returns <see cref="StepOutcome.Wait"/>.
/// A run resumed on any instance reads it back and polls the same job instead of starting another.
/// </summary>
internal static class JobCheckpoint
{
    /// <summary>The checkpointed reference of <paramref name="engine"/>, or <see langword="null"/> before the job started.</summary>
    public static JobReference? Read(JobStepContext context, string engine)
    {
        if (context.State.Checkpoint is not { ValueKind: JsonValueKind.Object } checkpoint)
        {
            return null;
        }

        var reference = checkpoint.Deserialize<JobReference>();
        return reference is not null && reference.Engine == engine && !string.IsNullOrEmpty(reference.Id) ? reference : null;
    }

    /// <summary>The reference as a checkpoint.</summary>
    public static JsonElement Of(JobReference reference) => JsonSerializer.SerializeToElement(reference);

    /// <summary>
    /// What a call that did not get an answer comes to: a transient failure (no answer, 408, 429, 5xx) is retried
    /// with backoff; any other refusal fails the step with the engine's message.
    /// </summary>
    public static StepOutcome Failure(JobEngineException exception) =>
        exception.IsTransient ? new StepOutcome.Retry(exception.Message) : new StepOutcome.Fail(exception.Message);
}
