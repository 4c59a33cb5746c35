using System.Text.Json;
using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Jobs.Livy;

/// <summary>
/// A tenant's registered Spark job definitions, as credentials and integrations are handled: a definition is
/// checked (<see cref="SparkJobDefinition.Validate"/>: Livy's batch fields, allowed URI schemes, sizes) before it is
/// stored, every error at once by field; the name is the id and cannot change; a stale <c>If-Match</c> is refused.
/// </summary>
public sealed class SparkJobService(SparkJobStore jobs, TimeProvider time)
{
    /// <summary>The resource name in messages.</summary>
    public const string Kind = "Spark job";

    private static readonly ResourceRefusals Refuse = new(Kind);

    /// <summary>Registers <paramref name="definition"/> under its name.</summary>
    /// <exception cref="ValidationFailedException">A field is invalid.</exception>
    /// <exception cref="ResourceConflictException">The name is registered already.</exception>
    public async Task<RegisteredSparkJob> CreateAsync(string tenantId, SparkJobDefinition definition, CancellationToken cancellationToken)
    {
        Validate(definition);
        try
        {
            var now = time.GetUtcNow();
            return await jobs.CreateAsync(new RegisteredSparkJob { Id = definition.Name, TenantId = tenantId, Definition = definition, CreatedAt = now, UpdatedAt = now }, cancellationToken);
        }
        catch (DocumentExistsException e)
        {
            throw new ResourceConflictException($"A Spark job named '{definition.Name}' is already registered.", "Replace it with PUT, or choose another name.", e);
        }
    }

    /// <summary>A registered job.</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no job of that name.</exception>
    public async Task<RegisteredSparkJob> GetAsync(string tenantId, string name, CancellationToken cancellationToken) =>
        await Refuse.FoundAsync(jobs.GetAsync(tenantId, name, cancellationToken), name);

    /// <summary>A page of the tenant's jobs by name.</summary>
    public Task<Page<RegisteredSparkJob>> ListAsync(string tenantId, int limit, string? continuationToken, CancellationToken cancellationToken) =>
        jobs.ListAsync(tenantId, limit, continuationToken, cancellationToken);

    /// <summary>Replaces the definition registered as <paramref name="name"/>; the definition's name must be that name.</summary>
    /// <exception cref="StaleVersionException"><paramref name="ifMatch"/> (null: no condition) is not the current version.</exception>
    public async Task<RegisteredSparkJob> ReplaceAsync(string tenantId, string name, SparkJobDefinition definition, string? ifMatch, CancellationToken cancellationToken)
    {
        Validate(definition);
        if (definition.Name != name)
        {
            throw new ValidationFailedException("name", $"must be '{name}', the job's registered name; register a new name with POST.");
        }

        var job = Refuse.AtVersion(await GetAsync(tenantId, name, cancellationToken), name, ifMatch);

        return await jobs.ReplaceAsync(job with { Definition = definition, UpdatedAt = time.GetUtcNow() }, cancellationToken);
    }

    /// <summary>Removes a registered job.</summary>
    /// <exception cref="StaleVersionException"><paramref name="ifMatch"/> is not the current version.</exception>
    public async Task DeleteAsync(string tenantId, string name, string? ifMatch, CancellationToken cancellationToken)
    {
        var job = Refuse.AtVersion(await GetAsync(tenantId, name, cancellationToken), name, ifMatch);

        await Refuse.DeletedAsync(jobs.DeleteAsync(tenantId, name, job.ETag, cancellationToken), name);
    }

    private static void Validate(SparkJobDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = definition.Validate()
            .SelectMany(r => r.MemberNames.DefaultIfEmpty(string.Empty).Select(m => (Field: m.Length == 0 ? "$" : JsonNamingPolicy.CamelCase.ConvertName(m), Message: r.ErrorMessage ?? "is not valid.")))
            .GroupBy(e => e.Field)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }
    }
}
