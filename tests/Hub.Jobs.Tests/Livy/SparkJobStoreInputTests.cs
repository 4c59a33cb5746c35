using IntegrationHub.Core.Errors;
using IntegrationHub.Jobs.Livy;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Jobs.Tests.Livy;

/// <summary>Issue 13, faults 1 and 2 for Spark jobs: invalid names never reach the store; foreign tokens are field errors.</summary>
public sealed class SparkJobStoreInputTests : IAsyncLifetime
{
    private HubCosmos _cosmos = null!;
    private SparkJobStore _jobs = null!;

    public async Task InitializeAsync()
    {
        var emulator = await SharedCosmosEmulator.GetAsync();
        var options = new CosmosOptions { Endpoint = emulator.Endpoint, Key = CosmosEmulator.Key, Database = SharedCosmosEmulator.NewDatabaseName("sparkids"), UseGatewayOnly = true };
        _cosmos = new HubCosmos(Options.Create(options), [SparkJobStore.Container]);
        await _cosmos.EnsureCreatedAsync(default);
        _jobs = new SparkJobStore(_cosmos);
    }

    public Task DisposeAsync()
    {
        _cosmos.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("..")]
    [InlineData("%2e%2e")]
    [InlineData("a\\b")]
    [InlineData("%ff")]
    public async Task An_invalid_name_is_not_found_and_refused_on_create_as_a_name_error(string name)
    {
        Assert.Null(await _jobs.GetAsync("t1", name, default));
        Assert.False(await _jobs.DeleteAsync("t1", name, null, default));
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => _jobs.CreateAsync(
            new RegisteredSparkJob { Id = name, TenantId = "t1", Definition = new SparkJobDefinition { Name = name, File = "hdfs:///a.jar" } },
            default));
        Assert.Equal(["name"], refused.Errors.Keys);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("-1")]
    [InlineData("99999")]
    public async Task A_bad_continuation_token_is_a_field_error(string token)
    {
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => _jobs.ListAsync("t1", 10, token, default));

        Assert.Equal([StoreRefusals.ContinuationTokenField], refused.Errors.Keys);
    }
}
