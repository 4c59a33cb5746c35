using System.Text.Json.Serialization;

namespace IntegrationHub.Jobs.Livy;

/// <summary>A Livy batch as <c>GET /batches</c> and <c>POST /batches</c> describe it (the parts the hub uses).</summary>
/// <param name="Id">Livy's batch id.</param>
/// <param name="Name">The name given at submission (Livy 0.7+), or <see langword="null"/>.</param>
/// <param name="State">Livy's state word: <c>starting</c>, <c>running</c>, <c>success</c>, <c>dead</c>, ...</param>
/// <param name="AppId">The cluster's application id once known (a YARN application id).</param>
public sealed record LivyBatch(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("appId")] string? AppId);

/// <summary>The result of <see cref="LivyClient.SubmitAsync"/>.</summary>
/// <param name="Batch">The batch.</param>
/// <param name="Reused">True when a batch of that name already existed and nothing was submitted.</param>
public sealed record LivySubmission(LivyBatch Batch, bool Reused);

/// <summary>What a Livy batch state means for the run: Livy's states grouped the way a flow step reacts to them.</summary>
public enum LivyStateKind
{
    /// <summary>Not finished: <c>not_started</c>, <c>starting</c>, <c>running</c>, <c>busy</c>, <c>idle</c>, <c>recovering</c>, <c>shutting_down</c>.</summary>
    Pending,

    /// <summary><c>success</c>: the only good end.</summary>
    Succeeded,

    /// <summary><c>dead</c>, <c>killed</c>, <c>error</c>.</summary>
    Failed,
}

/// <summary>Maps Livy's state words (docs/rest-api.md, "Session State") to <see cref="LivyStateKind"/>.</summary>
public static class LivyStates
{
    /// <summary>The kind of a state word. Unknown words count as pending: a newer Livy's new in-between state must not fail a run.</summary>
    public static LivyStateKind Classify(string state) => state switch
    {
        "success" => LivyStateKind.Succeeded,
        "dead" or "killed" or "error" => LivyStateKind.Failed,
        _ => LivyStateKind.Pending,
    };
}
