using System.Net;
using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Runs.Steps;
using IntegrationHub.Jobs.N8n;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Jobs.Steps;

/// <summary>
/// <c>n8n</c>: runs an n8n workflow on the previous step's output (after the step's <c>input</c> mapping) and
/// passes the workflow's answer on. Settings: <c>{"workflowId": "..."}</c>.
/// </summary>
/// <remarks>
/// The first call triggers the workflow's webhook with idempotency key <c>{runId}:{stepName}</c> (the workflow can
/// refuse a repeat; n8n itself does not deduplicate). A workflow that answers with its result completes the step at
/// once; one that answers <c>{"executionId": ...}</c> is checkpointed and the run waits durably, polling the
/// execution every <c>N8n__ExecutionPollInterval</c> without holding an instance. A failed workflow fails the
/// run with n8n's own error message; n8n not answering (or 408/429/5xx) is retried with backoff.
/// </remarks>
public sealed class N8nStepType(IServiceProvider services, IOptions<N8nOptions> options, TimeProvider time) : IJobStepType
{
    private static readonly JsonSerializerOptions SettingsJson = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public string Type => "n8n";

    /// <inheritdoc />
    public StepRole Role => StepRole.Job;

    /// <inheritdoc />
    public async Task<IReadOnlyList<FieldError>> ValidateAsync(string tenantId, FlowStep step, string at, CancellationToken cancellationToken)
    {
        var field = $"{at}.settings.workflowId";
        if (WorkflowIdOf(step) is not { } workflowId)
        {
            return [new FieldError(field, "an n8n step names the workflow to run: settings {\"workflowId\": \"...\"}.")];
        }

        if (!options.Value.IsConfigured)
        {
            return [new FieldError(field, "n8n is not configured in this hub (N8n__BaseUrl and N8n__ApiKey), so an n8n step cannot run.")];
        }

        N8nWorkflow workflow;
        try
        {
            workflow = await Client().GetWorkflowAsync(workflowId, cancellationToken);
        }
        catch (N8nException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return [new FieldError(field, $"n8n has no workflow '{workflowId}'.")];
        }
        catch (N8nException e)
        {
            return [new FieldError(field, $"n8n could not be asked about workflow '{workflowId}': {e.Message}")];
        }

        var tag = options.Value.WorkflowTag;
        var errors = new List<FieldError>();
        if (!workflow.Tags.Contains(tag, StringComparer.Ordinal))
        {
            errors.Add(new FieldError(field, $"n8n workflow '{workflow.Name}' does not carry the tag '{tag}' that marks the workflows the hub may run."));
        }
        else if (workflow.Webhook is null)
        {
            errors.Add(new FieldError(field, $"n8n workflow '{workflow.Name}' has no Webhook trigger, so the hub cannot run it."));
        }
        else if (!workflow.Active)
        {
            errors.Add(new FieldError(field, $"n8n workflow '{workflow.Name}' is not active, so its webhook does not answer; activate it in n8n."));
        }

        errors.AddRange(StepInput.Validate(step, at));
        return errors;
    }

    /// <inheritdoc />
    public async Task<StepOutcome> ExecuteAsync(JobStepContext context, CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
        {
            return new StepOutcome.Fail("n8n is not configured in this hub (N8n__BaseUrl), so the n8n step cannot run.");
        }

        var jobs = services.GetRequiredService<N8nWorkflowJobs>();
        var reference = JobCheckpoint.Read(context, N8nWorkflowJobs.EngineName);
        try
        {
            if (reference is not null)
            {
                return Outcome(reference, await jobs.PollAsync(reference, cancellationToken));
            }

            if (WorkflowIdOf(context.Step) is not { } workflowId)
            {
                return new StepOutcome.Fail($"Step '{context.Step.Name}' names no n8n workflow.");
            }

            var start = await jobs.StartAsync(workflowId, StepInput.AsObject(context.Input), IdempotencyKey(context), cancellationToken);
            return Outcome(start.Reference, start.Status);
        }
        catch (JobEngineException e)
        {
            return JobCheckpoint.Failure(e);
        }
        catch (ArgumentException e)
        {
            // The workflow lost its Webhook trigger since the flow was saved.
            return new StepOutcome.Fail(e.Message);
        }
    }

    /// <inheritdoc />
    public async Task CancelAsync(JobStepContext context, CancellationToken cancellationToken)
    {
        if (JobCheckpoint.Read(context, N8nWorkflowJobs.EngineName) is { } reference)
        {
            await services.GetRequiredService<N8nWorkflowJobs>().CancelAsync(reference, cancellationToken);
        }
    }

    /// <summary>The key a workflow sees as <c>Idempotency-Key</c> and <c>body.idempotencyKey</c>: one per run and step.</summary>
    public static string IdempotencyKey(JobStepContext context) => $"{context.Run.Id}:{context.Step.Name}";

    private StepOutcome Outcome(JobReference? reference, JobStatus status) => status switch
    {
        JobStatus.Succeeded succeeded => new StepOutcome.Completed(succeeded.Output),
        JobStatus.Failed failed => new StepOutcome.Fail(failed.Message),
        JobStatus.Pending pending when reference is not null =>
            new StepOutcome.Wait(time.GetUtcNow() + pending.NextCheckAfter, JobCheckpoint.Of(reference), $"n8n execution {reference.Id} is {pending.State}"),
        _ => new StepOutcome.Fail("n8n reported a running execution without its id."),
    };

    private static string? WorkflowIdOf(FlowStep step)
    {
        if (step.Settings is not { ValueKind: JsonValueKind.Object } settings)
        {
            return null;
        }

        try
        {
            return settings.Deserialize<N8nStepSettings>(SettingsJson)?.WorkflowId is { Length: > 0 } id && !string.IsNullOrWhiteSpace(id) ? id : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The clients are transient over IHttpClientFactory clients, so handlers rotate; this type is a singleton.
    private N8nClient Client() => services.GetRequiredService<N8nClient>();
}
