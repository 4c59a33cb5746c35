using System.Text.Json;

namespace IntegrationHub.Jobs;

/// <summary>
/// Where an external job stands after one look at it. The run engine checkpoints and sleeps on
/// <see cref="Pending"/>, passes <see cref="Succeeded.Output"/> to the next step, and fails the step with
/// <see cref="Failed.Message"/> and <see cref="Failed.LogTail"/>. No client ever waits for a job itself.
/// </summary>
public abstract record JobStatus
{
    private JobStatus()
    {
    }

    /// <summary>Still running: look again after <paramref name="NextCheckAfter"/>.</summary>
    /// <param name="NextCheckAfter">How long the run engine should wait before the next poll.</param>
    /// <param name="State">The engine's own word for the state (<c>running</c>, <c>starting</c>, ...), for the run's history.</param>
    public sealed record Pending(TimeSpan NextCheckAfter, string State) : JobStatus;

    /// <summary>Finished well.</summary>
    /// <param name="Output">The job's result as JSON (an n8n workflow's answer; a Spark batch's id, state and application id).</param>
    public sealed record Succeeded(JsonElement Output) : JobStatus;

    /// <summary>Finished badly (or was cancelled or lost).</summary>
    /// <param name="Message">The engine's own explanation, e.g. n8n's error message or Livy's final state.</param>
    /// <param name="LogTail">The last lines of the job's log where the engine keeps one (Livy); empty otherwise.</param>
    public sealed record Failed(string Message, IReadOnlyList<string> LogTail) : JobStatus;
}
