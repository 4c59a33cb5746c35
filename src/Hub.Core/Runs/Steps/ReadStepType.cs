using IntegrationHub.Connectors;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Integrations;

namespace IntegrationHub.Core.Runs.Steps;

/// <summary>
/// <c>read</c>: streams the records of an integration's stream from its committed cursor. The run engine
/// executes it together with the record steps and the <c>publish</c> that follow it, page by page
/// (see <see cref="SyncSegment"/>).
/// </summary>
public sealed class ReadStepType(IntegrationStore integrations) : IStepType
{
    /// <inheritdoc />
    public string Type => "read";

    /// <inheritdoc />
    public StepRole Role => StepRole.Source;

    /// <inheritdoc />
    public async Task<IReadOnlyList<FieldError>> ValidateAsync(string tenantId, FlowStep step, string at, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(step.IntegrationId))
        {
            return [new FieldError($"{at}.integrationId", "a read step names the integration to read.")];
        }

        return await integrations.GetAsync(tenantId, step.IntegrationId, cancellationToken) is null
            ? [new FieldError($"{at}.integrationId", $"integration '{step.IntegrationId}' was not found.")]
            : [];
    }
}

/// <summary>
/// <c>publish</c>: inside a streaming segment, publishes every page's events (see <see cref="SyncSegment"/>);
/// after a job step, publishes that step's output as one event.
/// </summary>
public sealed class PublishStepType : IStepType
{
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
}
