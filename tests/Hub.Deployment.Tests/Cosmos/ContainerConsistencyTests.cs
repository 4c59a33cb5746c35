using IntegrationHub.Deployment.Tests.Support;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Deployment.Tests.Cosmos;

/// <summary>
/// Bicep creates the containers in Azure (the hub runs with <c>Cosmos__CreateIfMissing=false</c> there),
/// so they must be exactly the containers the code registers, with the same partition key, TTL and paths left out
/// of the index — a wrong partition key cannot be changed later without re-creating the container.
/// </summary>
public sealed class ContainerConsistencyTests
{
    private static readonly string CosmosBicep = BicepText.Read("modules/cosmos.bicep");

    [Fact]
    public void Bicep_creates_exactly_the_containers_the_code_registers()
    {
        var code = HubCode.Containers.Select(c => (c.Name, c.PartitionKeyPath, DefaultTtl: c.DefaultTimeToLiveSeconds, Unindexed: string.Join(", ", (c.UnindexedPaths ?? []).Select(p => $"'{p}'")))).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        var bicep = BicepText.Containers(CosmosBicep).Select(c => (c.Name, c.PartitionKeyPath, c.DefaultTtl, Unindexed: string.Join(", ", c.Unindexed.Select(p => $"'{p}'")))).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

        Assert.Contains(code, c => c.Name == "tenants");
        Assert.Contains(code, c => c.Name == "records" && c.Unindexed == "'/records/*'");
        var missing = code.Except(bicep).Select(c => $"{{ name: '{c.Name}', partitionKeyPath: '{c.PartitionKeyPath}', defaultTtl: {c.DefaultTtl?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}, unindexed: [{(c.Unindexed.Length == 0 ? string.Empty : $" {c.Unindexed} ")}] }}").ToList();
        var extra = bicep.Except(code).Select(c => c.Name).ToList();
        Assert.True(missing.Count == 0, "Add to (or fix in) var containers in infra/bicep/modules/cosmos.bicep: " + string.Join(" ", missing));
        Assert.True(extra.Count == 0, "In Bicep but not used by the code: " + string.Join(", ", extra));
    }

    [Fact]
    public void Every_container_gets_the_partition_key_ttl_and_indexing_policy_from_its_line()
    {
        // The loop resource must use the per-line values, not constants.
        var text = CosmosBicep.Replace("\r", string.Empty, StringComparison.Ordinal);
        Assert.Contains("[for c in containers: {", text, StringComparison.Ordinal);
        Assert.Contains("paths: [ c.partitionKeyPath ]", text, StringComparison.Ordinal);
        Assert.Contains("{ defaultTtl: c.defaultTtl }", text, StringComparison.Ordinal);
        Assert.Contains("indexingPolicy: union(indexingPolicy, {", text, StringComparison.Ordinal);
        Assert.Contains("excludedPaths: concat(indexingPolicy.excludedPaths, map(c.unindexed, path => { path: path }))", text, StringComparison.Ordinal);
        Assert.Contains("kind: 'Hash'", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_database_name_defaults_agree()
    {
        var code = new CosmosOptions().Database;
        Assert.Equal(code, BicepText.ParameterDefault(BicepText.Read("main.bicep"), "cosmosDatabase"));
        Assert.Equal(code, SampleSettings.Values().Single(v => v.Key == "Cosmos__Database").Value);
    }

    [Fact]
    public void Serverless_is_the_default_and_the_data_contributor_role_is_assigned()
    {
        Assert.Equal("true", BicepText.ParameterDefault(BicepText.Read("main.bicep"), "cosmosServerless"));
        Assert.Contains("{ name: 'EnableServerless' }", CosmosBicep, StringComparison.Ordinal);
        Assert.Contains("var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'", CosmosBicep, StringComparison.Ordinal);
        Assert.Contains("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@", CosmosBicep, StringComparison.Ordinal);
    }
}
