using IntegrationHub.Core.Credentials;
using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.Core.Tenants;
using IntegrationHub.Core.Tests.Runs;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Stores;

/// <summary>
/// Issue 13, faults 1 and 2 through the domain services and stores the API calls: an id that cannot name
/// a resource is a not-found (or a field error when a caller names a new resource), and a continuation
/// token the hub did not issue is a field error on <c>continuationToken</c>, on every list.
/// </summary>
public sealed class InvalidInputTests : IAsyncLifetime
{
    private const string Tenant = "t1";
    private EngineInstance _hub = null!;

    /// <summary>The ids of the issue as the API hands them on (URL-decoded once), and Cosmos' forbidden characters.</summary>
    public static TheoryData<string> BadIds => new() { "..", ".", "%2e%2e", "%ff", "\uFFFD", "a\\b", "a/b", "a?b", "a#b", "a\u0000b" };

    public static TheoryData<string> BadTokens => new() { "garbage", "-1", "99999", "eyJ0b2tlbiI6IjEifQ==", "{\"token\":\"1\",\"range\":{\"min\":\"\",\"max\":\"FF\"}}" };

    public async Task InitializeAsync() => _hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("invalid"));

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task Looking_up_an_invalid_id_is_not_found_for_every_resource(string id)
    {
        var credentials = _hub.Services.GetRequiredService<CredentialService>();
        var integrations = _hub.Services.GetRequiredService<IntegrationService>();
        var tenants = _hub.Services.GetRequiredService<TenantStore>();

        Assert.Equal(id, (await Assert.ThrowsAsync<ResourceNotFoundException>(() => credentials.GetAsync(Tenant, id, default))).Id);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => integrations.GetAsync(Tenant, id, default));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => integrations.DeleteAsync(Tenant, id, null, default));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => credentials.DeleteAsync(Tenant, id, null, default));
        Assert.Null(await tenants.GetAsync(id, default));
        Assert.Null(await tenants.GetKeyAsync(Tenant, id, default));
        Assert.Null(await tenants.RevokeKeyAsync(Tenant, id, default));
        Assert.Null(await _hub.Services.GetRequiredService<FlowStore>().GetAsync(Tenant, id, default));
        Assert.Null(await _hub.Runs.GetAsync(Tenant, id, default));
        Assert.Null(await _hub.Services.GetRequiredService<DeadLetterStore>().GetAsync(Tenant, id, default));
        Assert.Null(await _hub.Integrations.GetAsync(id, "int-1", default));
        Assert.True((await SharedCosmosEmulator.GetAsync()).IsRunning);
    }

    [Theory]
    [InlineData("bad/id")]
    [InlineData("..")]
    [InlineData("a\\b")]
    [InlineData("%2e%2e")]
    public async Task Creating_a_tenant_under_an_invalid_id_is_a_field_error_on_id(string id)
    {
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => _hub.Services.GetRequiredService<TenantStore>().CreateAsync(id, "Bad", default));

        Assert.Equal(["id"], refused.Errors.Keys);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_continuation_token_is_a_field_error_on_every_list(string token)
    {
        var s = _hub.Services;
        var lists = new Func<Task>[]
        {
            () => s.GetRequiredService<CredentialService>().ListAsync(Tenant, null, 10, token, default),
            () => s.GetRequiredService<IntegrationService>().ListAsync(Tenant, null, null, 10, token, default),
            () => s.GetRequiredService<FlowStore>().ListAsync(Tenant, 10, token, default),
            () => s.GetRequiredService<RunStore>().ListAsync(Tenant, "int-1", null, 10, token, default),
            () => s.GetRequiredService<TenantStore>().ListAsync(10, token, default),
            () => s.GetRequiredService<DeadLetterStore>().ListAsync(Tenant, false, 10, token, default),
            () => s.GetRequiredService<CosmosEventLog>().ListAsync(Tenant, null, null, 10, token, default),
        };

        foreach (var list in lists)
        {
            var refused = await Assert.ThrowsAsync<ValidationFailedException>(list);
            Assert.Equal([StoreRefusals.ContinuationTokenField], refused.Errors.Keys);
        }
    }

    [Fact]
    public async Task A_token_issued_by_a_list_continues_it()
    {
        var tenants = _hub.Services.GetRequiredService<TenantStore>();
        for (var i = 0; i < 3; i++)
        {
            await tenants.CreateAsync($"paging-{Guid.NewGuid():N}"[..20], "Paging", default);
        }

        var first = await tenants.ListAsync(2, null, default);
        var second = await tenants.ListAsync(2, first.ContinuationToken, default);

        Assert.Equal(2, first.Items.Count);
        Assert.NotEmpty(second.Items);
        Assert.Empty(first.Items.Select(t => t.TenantId).Intersect(second.Items.Select(t => t.TenantId)));
    }
}
