namespace IntegrationHub.Shared.Cosmos;

/// <summary>
/// A container the hub uses: its name and partition key path. Each feature registers the containers it
/// owns (<see cref="CosmosServiceCollectionExtensions.AddCosmosContainer"/>); start-up creates the missing
/// ones, and the Bicep consistency tests compare this list with the infrastructure.
/// </summary>
/// <param name="Name">The container id.</param>
/// <param name="PartitionKeyPath">The partition key path; <c>/tenantId</c> for tenant data.</param>
/// <param name="DefaultTimeToLiveSeconds">Per-item TTL enabled with this default (-1: on, items opt in), or null for off.</param>
public sealed record ContainerDefinition(string Name, string PartitionKeyPath = ContainerDefinition.TenantPartitionKey, int? DefaultTimeToLiveSeconds = null)
{
    /// <summary>The partition key of every tenant-owned container.</summary>
    public const string TenantPartitionKey = "/tenantId";
}
