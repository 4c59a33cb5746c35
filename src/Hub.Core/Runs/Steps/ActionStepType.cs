using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Transforms;

namespace IntegrationHub.Core.Runs.Steps;

/// <summary><c>action</c>: calls a connector action (e.g. Zulip <c>send_message</c>) with the previous output, mapped by <c>input</c>.</summary>
public sealed class ActionStepType(IntegrationStore integrations, IConnectorCatalog catalog, IntegrationConnections connections, TimeProvider time) : IJobStepType
{
    /// <inheritdoc />
    public string Type => "action";

    /// <inheritdoc />
    public StepRole Role => StepRole.Job;

    /// <inheritdoc />
    public async Task<IReadOnlyList<FieldError>> ValidateAsync(string tenantId, FlowStep step, string at, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(step.IntegrationId) || await integrations.GetAsync(tenantId, step.IntegrationId, cancellationToken) is not { } integration)
        {
            return [new FieldError($"{at}.integrationId", "an action step names an existing integration whose connection it uses.")];
        }

        var descriptor = catalog.Find(integration.ConnectorId)?.Descriptor;
        if (descriptor is null || !descriptor.Actions.Any(a => a.Name == step.Action))
        {
            return [new FieldError($"{at}.action", $"'{step.Action}' is not an action of {integration.ConnectorId}; it has: {string.Join(", ", descriptor?.Actions.Select(a => a.Name) ?? [])}.")];
        }

        if (step.Input is { } input && !RecordMapping.TryCompile(input, $"{at}.input", out _, out var errors))
        {
            return errors.SelectMany(e => e.Value.Select(m => new FieldError(e.Key, m))).ToList();
        }

        return [];
    }

    /// <inheritdoc />
    public async Task<StepOutcome> ExecuteAsync(JobStepContext context, CancellationToken cancellationToken)
    {
        var input = context.Input ?? JsonSerializer.SerializeToElement(new { });
        try
        {
            return new StepOutcome.Completed(await connections.ExecuteActionAsync(context.Run.TenantId, context.Step.IntegrationId!, context.Step.Action!, input, cancellationToken, deferRateLimits: true));
        }
        catch (IntegrationActionRefusedException e)
        {
            return new StepOutcome.Fail(e.Message);
        }
        catch (ConnectorException e) when (e.Kind == ConnectorErrorKind.RateLimited)
        {
            // Not slept in the activity: the run shows rate_limited and the orchestration calls the step again after a durable timer.
            var until = time.GetUtcNow() + (e is RateLimitedException { Wait: { } wait } ? wait : TimeSpan.FromMinutes(1));
            return new StepOutcome.Wait(until, null, $"{e.ConnectorId} asked to wait until {until:u}: {e.Message}", RateLimited: true);
        }
        catch (ConnectorException e) when (e.IsPermanent)
        {
            return new StepOutcome.Fail(e.Message);
        }
        catch (ConnectorException e)
        {
            return new StepOutcome.Retry(e.Message);
        }
    }
}
