using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Tenants;
using IntegrationHub.Core.Tests.Runs;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Services;

/// <summary>What <see cref="TenantService"/> refuses, as any caller of the domain (not only the HTTP API) meets it.</summary>
public sealed class TenantServiceTests : IAsyncLifetime
{
    private EngineInstance _hub = null!;

    private TenantService Tenants => _hub.Services.GetRequiredService<TenantService>();

    public async Task InitializeAsync() => _hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("tenants"));

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Theory]
    [InlineData("-leading-dash")]
    [InlineData("Upper")]
    [InlineData("x")]
    [InlineData("a_b")]
    public async Task A_tenant_id_outside_the_rule_and_a_blank_name_are_refused_together_and_nothing_is_stored(string id)
    {
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => Tenants.CreateAsync(id, " ", default));

        Assert.Equal(["displayName", "id"], refused.Errors.Keys.Order());
        Assert.Empty((await Tenants.ListAsync(100, null, default)).Items);
    }

    [Fact]
    public async Task A_taken_tenant_id_is_a_conflict_and_the_first_tenant_stays()
    {
        await Tenants.CreateAsync("taken", "First", default);

        var refused = await Assert.ThrowsAsync<ResourceConflictException>(() => Tenants.CreateAsync("taken", "Second", default));

        Assert.Equal("Tenant 'taken' already exists.", refused.Message);
        Assert.Equal("First", (await Tenants.GetAsync("taken", default)).DisplayName);
    }

    [Fact]
    public async Task Keys_of_a_tenant_that_does_not_exist_are_not_found_and_none_is_issued()
    {
        Assert.Equal(TenantService.Kind, (await Assert.ThrowsAsync<ResourceNotFoundException>(() => Tenants.CreateKeyAsync("ghost", "ci", default))).Kind);
        Assert.Equal(TenantService.Kind, (await Assert.ThrowsAsync<ResourceNotFoundException>(() => Tenants.ListKeysAsync("ghost", default))).Kind);
        Assert.Equal(TenantService.Kind, (await Assert.ThrowsAsync<ResourceNotFoundException>(() => Tenants.GetAsync("ghost", default))).Kind);
        Assert.Empty(await _hub.Services.GetRequiredService<TenantStore>().ListKeysAsync("ghost", default));
    }

    [Fact]
    public async Task A_key_needs_a_name_and_an_unknown_key_cannot_be_revoked()
    {
        await Tenants.CreateAsync("keys", "Keys", default);

        var unnamed = await Assert.ThrowsAsync<ValidationFailedException>(() => Tenants.CreateKeyAsync("keys", "", default));
        var unknown = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Tenants.RevokeKeyAsync("keys", "000000000000", default));

        Assert.Equal(["name"], unnamed.Errors.Keys);
        Assert.Equal((TenantService.KeyKind, "000000000000"), (unknown.Kind, unknown.Id));
        Assert.Empty(await Tenants.ListKeysAsync("keys", default));
    }

    [Fact]
    public async Task Revoking_a_key_twice_keeps_the_first_revocation()
    {
        await Tenants.CreateAsync("revoke", "Revoke", default);
        var (stored, _) = await Tenants.CreateKeyAsync("revoke", "ci", default);

        var first = await Tenants.RevokeKeyAsync("revoke", stored.KeyId, default);
        var second = await Tenants.RevokeKeyAsync("revoke", stored.KeyId, default);

        Assert.NotNull(first.RevokedAt);
        Assert.Equal(first.RevokedAt, second.RevokedAt);
    }
}
