using System.Text.Json;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Flows;

/// <summary>
/// One typed step of a flow. Which members matter depends on <see cref="Type"/>:
/// <c>read</c> (IntegrationId: whose connection, stream and cursor), <c>transform</c> (Mapping),
/// <c>publish</c> (Topic, optional), <c>action</c> (IntegrationId, Action, Input mapping),
/// <c>n8n</c> and <c>spark</c> (Settings, defined by their step types).
/// </summary>
public sealed record FlowStep
{
    /// <summary>A name unique within the flow, shown in run progress.</summary>
    public required string Name { get; init; }

    /// <summary>The step type: <c>read</c>, <c>transform</c>, <c>publish</c>, <c>action</c>, <c>n8n</c>, <c>spark</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The integration whose connection a <c>read</c> or <c>action</c> step uses.</summary>
    public string? IntegrationId { get; init; }

    /// <summary>A <c>transform</c> step's record mapping (see <c>RecordMapping</c>).</summary>
    public JsonElement? Mapping { get; init; }

    /// <summary>A <c>publish</c> step's topic; default: the integration's topic or the naming scheme.</summary>
    public string? Topic { get; init; }

    /// <summary>An <c>action</c> step's connector action, e.g. <c>send_message</c>.</summary>
    public string? Action { get; init; }

    /// <summary>A mapping from the previous step's output to this step's input.</summary>
    public JsonElement? Input { get; init; }

    /// <summary>Settings of step types added by other features (n8n, spark).</summary>
    public JsonElement? Settings { get; init; }
}

/// <summary>
/// The run currently holding a flow (one at a time), in the <c>flows</c> container beside the flow under id
/// <c>{flowId}:state</c>. Claimed with an ETag-conditional write, so of simultaneous starts exactly one wins.
/// </summary>
public sealed record FlowState : TenantDocument
{
    /// <summary>Document type, which keeps it out of flow listings.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("type")]
    public string Type { get; init; } = "flow_state";

    /// <summary>The flow.</summary>
    public required string FlowId { get; init; }

    /// <summary>The run holding the flow, or null.</summary>
    public string? ActiveRunId { get; init; }

    /// <summary>When <see cref="ActiveRunId"/> was claimed.</summary>
    public DateTimeOffset? ActiveRunClaimedAt { get; init; }

    /// <summary>The state document's id for a flow.</summary>
    public static string DocumentIdOf(string flowId) => $"{flowId}:state";
}

/// <summary>A named, stored list of steps that runs durably.</summary>
public sealed record Flow : TenantDocument
{
    /// <summary>A human name.</summary>
    public required string Name { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>The steps, in order.</summary>
    public required IReadOnlyList<FlowStep> Steps { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}
