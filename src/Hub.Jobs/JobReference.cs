using System.Text.Json.Serialization;

namespace IntegrationHub.Jobs;

/// <summary>
/// What the run engine checkpoints after starting an external job: which engine runs it and the engine's
/// own id for it (an n8n execution id, a Livy batch id). Everything a later poll or cancel needs, so a run
/// resumed on another instance after a crash carries on with the same job.
/// </summary>
/// <param name="Engine">The engine's name: <see cref="N8n.N8nWorkflowJobs.EngineName"/> or <see cref="Livy.SparkBatchJobs.EngineName"/>.</param>
/// <param name="Id">The engine's id of the job.</param>
public sealed record JobReference(
    [property: JsonPropertyName("engine")] string Engine,
    [property: JsonPropertyName("id")] string Id)
{
    /// <inheritdoc />
    public override string ToString() => $"{Engine}:{Id}";
}
