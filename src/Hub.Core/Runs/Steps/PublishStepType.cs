using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Flows;
using IntegrationHub.Shared.Events;

namespace IntegrationHub.Core.Runs.Steps;

/// <summary>
/// <c>publish</c>: inside a streaming segment, publishes every page's events (see <see cref="SyncSegment"/>);
/// after a job step (a lone publish), publishes that step's output as one CloudEvent.
/// </summary>
/// <remarks>
/// A lone publish is exactly once across retries and crashes: its event id is derived from the run id and the step
/// name, and its producer sequence id from the run's creation time, so publishing again after an interruption is
/// dropped by the sink (the Cosmos event log by id, Pulsar by producer deduplication). Topic: the step's
/// <c>topic</c>, else <c>hub.{tenant}.flow.{flowId}</c>. The step's output is <c>{topic, eventId}</c>.
/// </remarks>
public sealed class PublishStepType(IEventSink sink, DeadLetterStore deadLetters, TimeProvider time) : IJobStepType
{
    /// <summary>The CloudEvent type of a lone publish.</summary>
    public const string OutputEventType = "com.integrationhub.flow.output";

    /// <inheritdoc />
    public string Type => "publish";

    /// <inheritdoc />
    public StepRole Role => StepRole.Job;

    /// <inheritdoc />
    public Task<IReadOnlyList<FieldError>> ValidateAsync(string tenantId, FlowStep step, string at, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<FieldError>>(
            step.Topic is { } topic && (topic.Length > 250 || topic.Any(char.IsWhiteSpace))
                ? [new FieldError($"{at}.topic", "a topic is a name without spaces, up to 250 characters.")]
                : []);

    /// <inheritdoc />
    public async Task<StepOutcome> ExecuteAsync(JobStepContext context, CancellationToken cancellationToken)
    {
        var run = context.Run;
        var step = context.Step;
        var flow = run.FlowId ?? run.IntegrationId ?? run.Id;
        var topic = step.Topic ?? EventNaming.TopicForStream(run.TenantId, "flow", flow);
        var cloudEvent = new CloudEvent
        {
            Id = EventIdOf(run.Id, step.Name),
            Source = $"/tenants/{run.TenantId}/flows/{flow}/steps/{step.Name}",
            Type = OutputEventType,
            Subject = run.Id,
            Time = time.GetUtcNow(),
            TenantId = run.TenantId,
            IntegrationId = run.IntegrationId,
            RunId = run.Id,
            Data = context.Input ?? JsonSerializer.SerializeToElement(new { }),
        };
        var batch = new EventBatch(
            topic,
            EventNaming.ProducerFor(run.TenantId, flow, step.Name),
            [new OutboundEvent(run.CreatedAt.ToUnixTimeMilliseconds(), run.Id, cloudEvent, new Dictionary<string, string> { ["flow"] = flow, ["step"] = step.Name })]);
        try
        {
            await sink.PublishAsync(batch, cancellationToken);
        }
        catch (EventPublishException e) when (e.IsTransient)
        {
            return new StepOutcome.Retry($"The {sink.Name} sink is unavailable: {e.Message}");
        }
        catch (EventPublishException e)
        {
            // Refused for good: kept, replayable, and the run says so.
            await deadLetters.KeepAsync(batch, e.Message, run.Id, run.IntegrationId, cancellationToken);
            return new StepOutcome.Fail($"The {sink.Name} sink refused the output of step '{step.Name}' (kept as a dead letter): {e.Message}");
        }

        return new StepOutcome.Completed(JsonSerializer.SerializeToElement(new { topic, eventId = cloudEvent.Id }));
    }

    /// <summary>The id of the event a lone publish step of a run publishes: the same on every attempt.</summary>
    public static string EventIdOf(string runId, string stepName) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{runId}\n{stepName}")).AsSpan(0, 16));
}
