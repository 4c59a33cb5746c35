using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Flows;

namespace IntegrationHub.Core.Runs.Steps;

/// <summary>How a step takes part in a run.</summary>
public enum StepRole
{
    /// <summary>Streams records page by page (<c>read</c>); starts a streaming segment that ends with a <c>publish</c>.</summary>
    Source,

    /// <summary>Changes each record of a page (<c>transform</c>); outside a segment, changes the previous step's output.</summary>
    Record,

    /// <summary>Runs once on the previous step's output (<c>action</c>, <c>n8n</c>, <c>spark</c>, a lone <c>publish</c>); may wait durably for an external job.</summary>
    Job,
}

/// <summary>
/// A kind of flow step. Step types are registered in DI (<c>AddStepType&lt;T&gt;()</c>); the n8n, Spark
/// and Pulsar features add theirs the same way the built-ins are added.
/// </summary>
public interface IStepType
{
    /// <summary>The <c>type</c> in a flow definition.</summary>
    string Type { get; }

    /// <summary>How it takes part in a run.</summary>
    StepRole Role { get; }

    /// <summary>Checks a step's definition when a flow is saved; <paramref name="at"/> is its path, e.g. <c>steps[2]</c>.</summary>
    Task<IReadOnlyList<FieldError>> ValidateAsync(string tenantId, FlowStep step, string at, CancellationToken cancellationToken);
}

/// <summary>A step type that changes records.</summary>
public interface IRecordStepType : IStepType
{
    /// <summary>Compiles the step once per run; the result is applied to every record.</summary>
    Func<JsonElement, JsonElement> Compile(FlowStep step);
}

/// <summary>A step type that runs once per run and may wait for an external job without holding an instance.</summary>
public interface IJobStepType : IStepType
{
    /// <summary>Starts or continues the step. Called again after a <see cref="StepOutcome.Wait"/>, with the checkpoint it returned.</summary>
    Task<StepOutcome> ExecuteAsync(JobStepContext context, CancellationToken cancellationToken);

    /// <summary>Undoes what is running outside when the run is cancelled (e.g. deletes a Spark batch).</summary>
    Task CancelAsync(JobStepContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>What a job step sees.</summary>
/// <param name="Run">The run.</param>
/// <param name="Step">The step's definition.</param>
/// <param name="State">Its checkpoint so far (e.g. a job reference from an earlier call).</param>
/// <param name="Input">The previous step's output (after the step's input mapping, if any).</param>
public sealed record JobStepContext(Run Run, FlowStep Step, StepState State, JsonElement? Input);

/// <summary>What a step call came to.</summary>
public abstract record StepOutcome
{
    /// <summary>Done; <paramref name="Output"/> goes to the next step.</summary>
    public sealed record Completed(JsonElement? Output) : StepOutcome;

    /// <summary>Not done: look again at <paramref name="Until"/> (a durable timer), with <paramref name="Checkpoint"/> kept in the run document.</summary>
    public sealed record Wait(DateTimeOffset Until, JsonElement? Checkpoint, string Reason, bool RateLimited = false) : StepOutcome;

    /// <summary>A failure that may pass: retried after a durable-timer backoff (attempts kept in the run document) up to <c>Runs__MaxStepAttempts</c>.</summary>
    public sealed record Retry(string Error) : StepOutcome;

    /// <summary>A failure that will not pass: the run fails.</summary>
    public sealed record Fail(string Error) : StepOutcome;

    /// <summary>A streaming segment committed one page and has more to read: call it again.</summary>
    public sealed record Advanced : StepOutcome;

    /// <summary>The run was cancelled while the step ran.</summary>
    public sealed record Cancelled : StepOutcome;
}
