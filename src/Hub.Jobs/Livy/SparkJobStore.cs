using IntegrationHub.Core;
using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Jobs.Livy;

/// <summary>A Spark job definition a tenant registered under a name, for <c>spark</c> steps to refer to with <c>{"job": name}</c>.</summary>
public sealed record RegisteredSparkJob : TenantDocument
{
    /// <summary>The definition (its <c>Name</c> is the registration name).</summary>
    public required SparkJobDefinition Definition { get; init; }

    /// <summary>When it was registered.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Tenants' Spark job definitions in the <c>sparkjobs</c> container (partition <c>/tenantId</c>, id = job name).</summary>
public sealed class SparkJobStore(HubCosmos cosmos)
{
    /// <summary>The container.</summary>
    public static readonly ContainerDefinition Container = new("sparkjobs");

    private readonly DocumentSet<RegisteredSparkJob> _jobs = cosmos.Documents<RegisteredSparkJob>(Container.Name);

    /// <summary>A registered job, or null.</summary>
    public Task<RegisteredSparkJob?> GetAsync(string tenantId, string name, CancellationToken cancellationToken) => _jobs.ReadAsync(tenantId, name, cancellationToken);

    /// <summary>Registers a job; <see cref="DocumentExistsException"/> when the name is taken.</summary>
    /// <exception cref="ValidationFailedException">On <c>name</c>: the name breaks the id rule (<see cref="ResourceIds"/>).</exception>
    public Task<RegisteredSparkJob> CreateAsync(RegisteredSparkJob job, CancellationToken cancellationToken) => StoreRefusals.Translate(_jobs.CreateAsync(job, cancellationToken), "name");

    /// <summary>Replaces a job at the version it was read at.</summary>
    public Task<RegisteredSparkJob> ReplaceAsync(RegisteredSparkJob job, CancellationToken cancellationToken) => _jobs.ReplaceAsync(job, cancellationToken);

    /// <summary>Removes a job.</summary>
    public Task<bool> DeleteAsync(string tenantId, string name, string? etag, CancellationToken cancellationToken) => _jobs.DeleteAsync(tenantId, name, etag, cancellationToken);

    /// <summary>A page of a tenant's jobs by name.</summary>
    public Task<Page<RegisteredSparkJob>> ListAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        StoreRefusals.Translate(_jobs.QueryPageAsync(new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.id"), tenantId, pageSize, continuationToken, cancellationToken));
}
