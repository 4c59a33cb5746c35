using System.Text.Json;

namespace IntegrationHub.Jobs.N8n;

/// <summary>An n8n workflow as the hub's catalog sees it.</summary>
/// <param name="Id">n8n's workflow id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Active">Whether it is active: only active workflows have production webhooks.</param>
/// <param name="Tags">Its tag names.</param>
/// <param name="Webhook">Its Webhook trigger, or <see langword="null"/> when it has none (it cannot be run from the hub).</param>
public sealed record N8nWorkflow(string Id, string Name, bool Active, IReadOnlyList<string> Tags, N8nWebhook? Webhook);

/// <summary>A workflow's Webhook trigger.</summary>
/// <param name="Path">The path under n8n's webhook endpoint, e.g. <c>orders/sync</c> (production URL <c>/webhook/orders/sync</c>).</param>
/// <param name="Method">The HTTP method it listens to.</param>
public sealed record N8nWebhook(string Path, string Method);

/// <summary>What a webhook call answered.</summary>
public abstract record N8nTriggerResult
{
    private N8nTriggerResult()
    {
    }

    /// <summary>The workflow answered with its result.</summary>
    public sealed record Completed(JsonElement Output) : N8nTriggerResult;

    /// <summary>The workflow answered <c>{ "executionId": ... }</c> and goes on running: poll the execution.</summary>
    public sealed record Started(string ExecutionId) : N8nTriggerResult;

    /// <summary>The workflow failed before answering.</summary>
    /// <param name="Message">n8n's error message (read from the failed execution when n8n's answer was only "Error in workflow").</param>
    /// <param name="ExecutionId">The failed execution, when it could be found.</param>
    public sealed record Failed(string Message, string? ExecutionId) : N8nTriggerResult;
}

/// <summary>n8n's execution states (its <c>ExecutionStatus</c>).</summary>
public enum N8nExecutionStatus
{
    /// <summary>A state this client does not know; treated as still running.</summary>
    Unknown,

    /// <summary><c>new</c>: created, not started (queued).</summary>
    New,

    /// <summary><c>running</c>.</summary>
    Running,

    /// <summary><c>waiting</c>: paused in a Wait node.</summary>
    Waiting,

    /// <summary><c>success</c>.</summary>
    Success,

    /// <summary><c>error</c>.</summary>
    Error,

    /// <summary><c>crashed</c>: the process running it died.</summary>
    Crashed,

    /// <summary><c>canceled</c>.</summary>
    Canceled,
}

/// <summary>One execution, as <c>GET /api/v1/executions/{id}?includeData=true</c> describes it.</summary>
/// <param name="Id">The execution id.</param>
/// <param name="WorkflowId">Its workflow.</param>
/// <param name="Status">Its state.</param>
/// <param name="ErrorMessage">n8n's error message when it failed.</param>
/// <param name="Output">The last executed node's output: the single item's JSON, or an array of the items' JSON; <see langword="null"/> while running.</param>
public sealed record N8nExecution(string Id, string? WorkflowId, N8nExecutionStatus Status, string? ErrorMessage, JsonElement? Output)
{
    /// <summary>Whether the execution has ended (well or badly).</summary>
    public bool IsFinished => Status is N8nExecutionStatus.Success or N8nExecutionStatus.Error or N8nExecutionStatus.Crashed or N8nExecutionStatus.Canceled;
}
