using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Runs.Steps;

namespace IntegrationHub.Core.Flows;

/// <summary>What a flow is made of, for create and replace.</summary>
/// <param name="Name">A human name, 1 to 200 characters.</param>
/// <param name="Steps">The steps in order (read → transform → n8n → spark → publish, as the step types allow); validated by their types.</param>
/// <param name="Description">Optional, up to 2,000 characters.</param>
public sealed record FlowDefinition(string Name, IReadOnlyList<FlowStep> Steps, string? Description);

/// <summary>
/// A tenant's flows, as credentials and integrations are handled: every definition is validated as a whole by
/// the step types before it is stored (every error at once, named by field: <c>steps[2].settings.workflowId</c>),
/// a stale <c>If-Match</c> is refused, and another tenant's flow does not exist.
/// </summary>
public sealed class FlowService(FlowStore flows, StepTypeRegistry steps, TimeProvider time)
{
    /// <summary>The resource name in messages.</summary>
    public const string Kind = "Flow";

    private static readonly ResourceRefusals Refuse = new(Kind);

    /// <summary>Validates and stores a new flow (id <c>flow-{32 hex}</c>).</summary>
    /// <exception cref="ValidationFailedException">A step is invalid; every error is listed.</exception>
    public async Task<Flow> CreateAsync(string tenantId, FlowDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        await ValidateAsync(tenantId, definition, cancellationToken);
        var now = time.GetUtcNow();
        return await flows.CreateAsync(
            new Flow { Id = $"flow-{Guid.NewGuid():N}", TenantId = tenantId, Name = definition.Name, Description = definition.Description, Steps = definition.Steps, CreatedAt = now, UpdatedAt = now },
            cancellationToken);
    }

    /// <summary>A flow.</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such flow.</exception>
    public async Task<Flow> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        await Refuse.FoundAsync(flows.GetAsync(tenantId, id, cancellationToken), id);

    /// <summary>A page of the tenant's flows, newest first.</summary>
    public Task<Shared.Cosmos.Page<Flow>> ListAsync(string tenantId, int limit, string? continuationToken, CancellationToken cancellationToken) =>
        flows.ListAsync(tenantId, limit, continuationToken, cancellationToken);

    /// <summary>Replaces the definition (validated as on create).</summary>
    /// <exception cref="StaleVersionException"><paramref name="ifMatch"/> (null: no condition) is not the current version.</exception>
    public async Task<Flow> ReplaceAsync(string tenantId, string id, FlowDefinition definition, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        await ValidateAsync(tenantId, definition, cancellationToken);
        var flow = Refuse.AtVersion(await GetAsync(tenantId, id, cancellationToken), id, ifMatch);

        return await flows.ReplaceAsync(flow with { Name = definition.Name, Description = definition.Description, Steps = definition.Steps, UpdatedAt = time.GetUtcNow() }, cancellationToken);
    }

    /// <summary>Deletes a flow and its run state.</summary>
    /// <exception cref="StaleVersionException"><paramref name="ifMatch"/> is not the current version.</exception>
    public async Task DeleteAsync(string tenantId, string id, string? ifMatch, CancellationToken cancellationToken)
    {
        var flow = Refuse.AtVersion(await GetAsync(tenantId, id, cancellationToken), id, ifMatch);

        await Refuse.DeletedAsync(flows.DeleteAsync(tenantId, id, flow.ETag, cancellationToken), id);
    }

    private async Task ValidateAsync(string tenantId, FlowDefinition definition, CancellationToken cancellationToken)
    {
        var errors = await steps.ValidateAsync(tenantId, definition.Steps, cancellationToken);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }
    }
}
