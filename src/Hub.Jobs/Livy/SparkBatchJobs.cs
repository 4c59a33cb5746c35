using System.Globalization;
using System.Net;
using System.Text.Json;
using IntegrationHub.Jobs.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Jobs.Livy;

/// <summary>
/// Spark batches as durable-run jobs: start (idempotent by batch name), one look per poll, cancel. The run
/// engine checkpoints the <see cref="JobReference"/> that <see cref="StartAsync"/> returns and calls
/// <see cref="PollAsync"/> whenever the <see cref="JobStatus.Pending.NextCheckAfter"/> it was given has passed.
/// </summary>
/// <param name="livy">The engine's client.</param>
/// <param name="options">The engine's settings (poll interval).</param>
/// <param name="metrics">Job counters.</param>
/// <param name="logger">Where outcomes are logged.</param>
public sealed class SparkBatchJobs(LivyClient livy, IOptions<LivyOptions> options, JobMetrics metrics, ILogger<SparkBatchJobs> logger) : IJobEngine
{
    /// <summary>The engine name in <see cref="JobReference.Engine"/>.</summary>
    public const string EngineName = "livy";

    private readonly LivyOptions _options = options.Value;

    /// <inheritdoc />
    public string Name => EngineName;

    /// <summary>
    /// Submits the definition as batch <paramref name="batchName"/> (use <see cref="SparkBatchName.For"/>), or finds
    /// the batch an earlier attempt of the same step already submitted. Checkpoint the returned reference at once.
    /// </summary>
    /// <exception cref="ArgumentException">The definition is not valid.</exception>
    /// <exception cref="LivyException">Livy did not answer or refused the batch.</exception>
    public async Task<JobStart> StartAsync(SparkJobDefinition definition, string batchName, CancellationToken cancellationToken = default)
    {
        var submission = await livy.SubmitAsync(definition, batchName, cancellationToken);
        var reference = new JobReference(EngineName, submission.Batch.Id.ToString(CultureInfo.InvariantCulture));
        var status = await StatusAsync(submission.Batch.Id, submission.Batch.State, cancellationToken);
        return new JobStart(reference, status);
    }

    /// <summary>One look at the batch: <c>GET /batches/{id}/state</c>, plus <c>GET /batches/{id}/log</c> once it has failed.</summary>
    /// <exception cref="LivyException">Livy did not answer or failed (not 404): the batch's state is unknown, poll again later.</exception>
    public async Task<JobStatus> PollAsync(JobReference reference, CancellationToken cancellationToken)
    {
        var batchId = BatchId(reference);
        string state;
        try
        {
            state = await livy.GetStateAsync(batchId, cancellationToken);
        }
        catch (LivyException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Livy restarted without recovery, or dropped the batch after its retention time: it will never come back.
            metrics.Polled(EngineName, "failed");
            var lost = new JobStatus.Failed($"Livy no longer knows Spark batch {batchId} (deleted, or forgotten after a Livy restart).", []);
            metrics.Ended(EngineName, lost);
            return lost;
        }
        catch (LivyException)
        {
            metrics.Polled(EngineName, "error");
            throw;
        }

        var status = await StatusAsync(batchId, state, cancellationToken);
        metrics.Polled(EngineName, status switch
        {
            JobStatus.Pending => "pending",
            JobStatus.Succeeded => "succeeded",
            _ => "failed",
        });
        metrics.Ended(EngineName, status);
        return status;
    }

    /// <summary>Kills the batch (<c>DELETE /batches/{id}</c>); a batch Livy no longer knows counts as cancelled.</summary>
    public async Task CancelAsync(JobReference reference, CancellationToken cancellationToken)
    {
        await livy.DeleteAsync(BatchId(reference), cancellationToken);
        metrics.Ended(EngineName, "cancelled");
    }

    private async Task<JobStatus> StatusAsync(long batchId, string state, CancellationToken cancellationToken)
    {
        switch (LivyStates.Classify(state))
        {
            case LivyStateKind.Succeeded:
                Logs.LivyEnded(logger, batchId, state);
                return new JobStatus.Succeeded(JsonSerializer.SerializeToElement(new BatchOutput(batchId, state)));
            case LivyStateKind.Failed:
                Logs.LivyEnded(logger, batchId, state);
                IReadOnlyList<string> tail;
                try
                {
                    tail = await livy.GetLogTailAsync(batchId, _options.LogTailLines, cancellationToken);
                }
                catch (LivyException e)
                {
                    // The outcome is known; a missing log must not turn it back into "unknown".
                    Logs.LivyLogUnavailable(logger, batchId, e.Message);
                    tail = [$"(log unavailable: {e.Message})"];
                }

                return new JobStatus.Failed($"Spark batch {batchId} ended '{state}'.", tail);
            default:
                return new JobStatus.Pending(_options.PollInterval, state);
        }
    }

    private static long BatchId(JobReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Engine != EngineName || !long.TryParse(reference.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            throw new ArgumentException($"'{reference}' is not a Livy batch reference.", nameof(reference));
        }

        return id;
    }

    private sealed record BatchOutput(
        [property: System.Text.Json.Serialization.JsonPropertyName("batchId")] long BatchId,
        [property: System.Text.Json.Serialization.JsonPropertyName("state")] string State);
}
