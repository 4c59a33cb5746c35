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
