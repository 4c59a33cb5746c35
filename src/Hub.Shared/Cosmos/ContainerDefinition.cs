namespace IntegrationHub.Shared.Cosmos;

/// <summary>
/// A container the hub uses: its name and partition key path. Each feature registers the containers it
/// owns (<see cref="CosmosServiceCollectionExtensions.AddCosmosContainer"/>); start-up creates the missing
/// ones, and the Bicep consistency tests compare this list with the infrastructure.
/// </summary>
/// <param name="Name">The container id.</param>
/// <param name="PartitionKeyPath">The partition key path; <c>/tenantId</c> for tenant data.</param>
/// <param name="DefaultTimeToLiveSeconds">Per-item TTL enabled with this default (-1: on, items opt in), or null for off.</param>
/// <param name="UnindexedPaths">
/// Paths left out of the container's index (Cosmos DB indexing policy <c>excludedPaths</c>, e.g. <c>/events/*</c>):
/// bulk payloads the hub only reads by id. Indexing them would cost request units on every write for each property
/// (a page of 1,000 events, a record memory keyed by record id) and grow the index by a path per record id
/// ("Indexing policies in Azure Cosmos DB", Microsoft Learn). Null or empty: everything indexed.
/// </param>
public sealed record ContainerDefinition(string Name, string PartitionKeyPath = ContainerDefinition.TenantPartitionKey, int? DefaultTimeToLiveSeconds = null, IReadOnlyList<string>? UnindexedPaths = null)
{
    /// <summary>The partition key of every tenant-owned container.</summary>
    public const string TenantPartitionKey = "/tenantId";
}
