using System.Net;
using System.Text.Json;
using IntegrationHub.Jobs.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Jobs.N8n;

/// <summary>
/// n8n workflows as durable-run jobs. Starting calls the workflow's webhook: a workflow that answers with its
/// result is done at once; one that answers <c>{ "executionId": ... }</c> is polled through the public API, one
/// <c>GET /api/v1/executions/{id}</c> per <see cref="PollAsync"/>.
/// </summary>
/// <param name="n8n">The engine's client.</param>
/// <param name="options">The engine's settings (poll interval).</param>
/// <param name="metrics">Job counters.</param>
/// <param name="logger">Where outcomes are logged.</param>
public sealed class N8nWorkflowJobs(N8nClient n8n, IOptions<N8nOptions> options, JobMetrics metrics, ILogger<N8nWorkflowJobs> logger) : IJobEngine
{
    /// <summary>The engine name in <see cref="JobReference.Engine"/>.</summary>
    public const string EngineName = "n8n";

    private readonly N8nOptions _options = options.Value;

    /// <inheritdoc />
    public string Name => EngineName;

    /// <summary>Reads workflow <paramref name="workflowId"/> and runs it (see <see cref="StartAsync(N8nWorkflow, JsonElement, string, CancellationToken)"/>).</summary>
    public async Task<JobStart> StartAsync(string workflowId, JsonElement payload, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var workflow = await n8n.GetWorkflowAsync(workflowId, cancellationToken);
        return await StartAsync(workflow, payload, idempotencyKey, cancellationToken);
    }

    /// <summary>
    /// Runs the workflow with <paramref name="payload"/>. The result is final (<see cref="JobStatus.Succeeded"/> or
    /// <see cref="JobStatus.Failed"/>, reference <see langword="null"/>) when the workflow answered with its result or
    /// failed; <see cref="JobStatus.Pending"/> with the execution's reference when it answered with its execution id.
    /// Use the run and step as <paramref name="idempotencyKey"/>: it reaches the workflow, which can refuse a repeat.
    /// </summary>
    /// <exception cref="N8nException">n8n did not answer or refused the call (e.g. 404: the workflow is not active).</exception>
    public async Task<JobStart> StartAsync(N8nWorkflow workflow, JsonElement payload, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var result = await n8n.TriggerAsync(workflow, payload, idempotencyKey, cancellationToken);
        switch (result)
        {
            case N8nTriggerResult.Started started:
                return new JobStart(new JobReference(EngineName, started.ExecutionId), new JobStatus.Pending(PollInterval, "running"));
            case N8nTriggerResult.Failed failed:
                var failure = new JobStatus.Failed(failed.Message, []);
                metrics.Ended(EngineName, failure);
                return new JobStart(failed.ExecutionId is null ? null : new JobReference(EngineName, failed.ExecutionId), failure);
            case N8nTriggerResult.Completed completed:
                var success = new JobStatus.Succeeded(completed.Output);
                metrics.Ended(EngineName, success);
                return new JobStart(null, success);
            default:
                throw new InvalidOperationException($"Unexpected trigger result {result}.");
        }
    }

    /// <summary>One look at the execution (<c>GET /api/v1/executions/{id}?includeData=true</c>).</summary>
    /// <exception cref="N8nException">n8n did not answer or failed (not 404): poll again later.</exception>
    public async Task<JobStatus> PollAsync(JobReference reference, CancellationToken cancellationToken)
    {
        var executionId = ExecutionId(reference);
        N8nExecution execution;
        try
        {
            execution = await n8n.GetExecutionAsync(executionId, cancellationToken);
        }
        catch (N8nException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            metrics.Polled(EngineName, "failed");
            var lost = new JobStatus.Failed($"n8n no longer has execution {executionId} (deleted or pruned).", []);
            metrics.Ended(EngineName, lost);
            return lost;
        }
        catch (N8nException)
        {
            metrics.Polled(EngineName, "error");
            throw;
        }

        JobStatus status = execution.Status switch
        {
            // n8n can report an execution 'success' a moment before its run data is stored: the output is not
            // readable yet, so look again shortly rather than hand the next step a null.
            N8nExecutionStatus.Success when execution.Output is null => new JobStatus.Pending(PollInterval, "finishing"),
            N8nExecutionStatus.Success => new JobStatus.Succeeded(execution.Output!.Value),
            N8nExecutionStatus.Error or N8nExecutionStatus.Crashed => new JobStatus.Failed(execution.ErrorMessage ?? $"n8n execution {executionId} failed.", []),
            N8nExecutionStatus.Canceled => new JobStatus.Failed($"n8n execution {executionId} was cancelled.", []),
            _ => new JobStatus.Pending(PollInterval, execution.Status.ToString().ToLowerInvariant()),
        };
        if (status is not JobStatus.Pending)
        {
            Logs.N8nExecutionEnded(logger, executionId, execution.Status);
        }

        metrics.Polled(EngineName, status switch
        {
            JobStatus.Pending => "pending",
            JobStatus.Succeeded => "succeeded",
            _ => "failed",
        });
        metrics.Ended(EngineName, status);
        return status;
    }

    /// <summary>
    /// n8n 1.x's public API has no call to stop an execution (only the editor's session-authenticated API has),
    /// so cancelling stops the hub's waiting and leaves the execution to finish in n8n. Logged, not an error.
    /// </summary>
    public Task CancelAsync(JobReference reference, CancellationToken cancellationToken)
    {
        var executionId = ExecutionId(reference);
        Logs.N8nCancelUnsupported(logger, executionId);
        metrics.Ended(EngineName, "cancelled");
        return Task.CompletedTask;
    }

    private TimeSpan PollInterval => _options.ExecutionPollInterval;

    private static string ExecutionId(JobReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Engine != EngineName || string.IsNullOrWhiteSpace(reference.Id))
        {
            throw new ArgumentException($"'{reference}' is not an n8n execution reference.", nameof(reference));
        }

        return reference.Id;
    }
}
