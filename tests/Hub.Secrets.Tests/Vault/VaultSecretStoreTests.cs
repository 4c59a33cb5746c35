using IntegrationHub.Secrets.Tests.Support;
using IntegrationHub.Secrets.Vault;

namespace IntegrationHub.Secrets.Tests.Vault;

/// <summary>The Vault-backed <see cref="ISecretStore"/>: KV v2 versions and check-and-set, soft delete and destroy, Vault's errors.</summary>
public sealed class VaultSecretStoreTests
{
    private const string Tenant = "acme";
    private const string Path = "integrationhub/tenants/acme/credentials/github-main";

    private static readonly SecretValues First = SecretValues.From(new Dictionary<string, string> { ["api_key"] = "sk-first-0123456789abcdef" });
    private static readonly SecretValues Second = SecretValues.From(new Dictionary<string, string> { ["api_key"] = "sk-second-0123456789abcdef" });

    [Fact]
    public async Task Create_update_and_read_go_through_versions_at_the_documented_path()
    {
        await using var harness = await VaultHarness.StartAsync();

        var created = await harness.Store.CreateAsync(Tenant, "github-main", First, default);
        var updated = await harness.Store.UpdateAsync(Tenant, "github-main", Second, created, default);
        var read = await harness.Store.ReadAsync(Tenant, "github-main", default);

        Assert.Equal(1, created);
        Assert.Equal(2, updated);
        Assert.Equal(2, harness.Vault.CurrentVersion(Path));
        Assert.NotNull(read);
        Assert.Equal(2, read.Version);
        Assert.Equal("sk-second-0123456789abcdef", read.Values["api_key"]);
        Assert.Equal("vault", harness.Store.Kind);
    }

    [Fact]
    public async Task Create_where_a_secret_exists_is_a_conflict_from_cas_zero()
    {
        await using var harness = await VaultHarness.StartAsync();
        await harness.Store.CreateAsync(Tenant, "github-main", First, default);

        var error = await Assert.ThrowsAsync<SecretAlreadyExistsException>(() => harness.Store.CreateAsync(Tenant, "github-main", Second, default));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains("github-main", error.Message, StringComparison.Ordinal);
        Assert.Equal("sk-first-0123456789abcdef", (await harness.Store.ReadAsync(Tenant, "github-main", default))!.Values["api_key"]);
    }

    [Fact]
    public async Task A_rotation_from_a_stale_version_loses_and_leaves_the_winner_in_place()
    {
        await using var harness = await VaultHarness.StartAsync();
        var v1 = await harness.Store.CreateAsync(Tenant, "github-main", First, default);
        await harness.Store.UpdateAsync(Tenant, "github-main", Second, v1, default);

        var error = await Assert.ThrowsAsync<SecretVersionConflictException>(
            () => harness.Store.UpdateAsync(Tenant, "github-main", SecretValues.From(new Dictionary<string, string> { ["api_key"] = "sk-stale-0123456789abcdef" }), v1, default));

        Assert.IsNotType<SecretAlreadyExistsException>(error);
        Assert.Contains("version 1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("sk-second-0123456789abcdef", (await harness.Store.ReadAsync(Tenant, "github-main", default))!.Values["api_key"]);
    }

    [Fact]
    public async Task Soft_delete_hides_the_latest_version_but_keeps_the_key_and_destroy_removes_everything()
    {
        await using var harness = await VaultHarness.StartAsync();
        var v1 = await harness.Store.CreateAsync(Tenant, "github-main", First, default);

        await harness.Store.DeleteAsync(Tenant, "github-main", destroy: false, default);

        Assert.Null(await harness.Store.ReadAsync(Tenant, "github-main", default));
        var metadata = await harness.Client.ReadMetadataAsync(Path, default);
        Assert.NotNull(metadata);
        Assert.Equal(1, metadata.CurrentVersion);
        Assert.NotNull(metadata.Versions[1].DeletionTime);
        Assert.False(metadata.Versions[1].Destroyed);
        await Assert.ThrowsAsync<SecretAlreadyExistsException>(() => harness.Store.CreateAsync(Tenant, "github-main", Second, default));

        await harness.Store.DeleteAsync(Tenant, "github-main", destroy: true, default);

        Assert.Null(await harness.Client.ReadMetadataAsync(Path, default));
        Assert.Equal(1, await harness.Store.CreateAsync(Tenant, "github-main", Second, default));
        Assert.Equal(1, v1);
    }

    [Fact]
    public async Task Destroying_a_version_removes_its_data_for_good_while_later_versions_stay_readable()
    {
        await using var harness = await VaultHarness.StartAsync();
        var v1 = await harness.Store.CreateAsync(Tenant, "github-main", First, default);
        await harness.Store.UpdateAsync(Tenant, "github-main", Second, v1, default);

        await harness.Client.DestroyVersionsAsync(Path, [1], default);

        Assert.Null(await harness.Client.ReadSecretAsync(Path, version: 1, default));
        Assert.True(harness.Vault.IsDestroyed(Path, 1));
        var metadata = await harness.Client.ReadMetadataAsync(Path, default);
        Assert.True(metadata!.Versions[1].Destroyed);
        Assert.Equal("sk-second-0123456789abcdef", (await harness.Client.ReadSecretAsync(Path, version: null, default))!.Data["api_key"]);
    }

    [Fact]
    public async Task A_sealed_vault_is_a_clear_error_naming_the_host()
    {
        await using var harness = await VaultHarness.StartAsync();
        await harness.Store.CreateAsync(Tenant, "github-main", First, default);
        harness.Vault.Seal();

        var error = await Assert.ThrowsAsync<VaultSealedException>(() => harness.Store.ReadAsync(Tenant, "github-main", default));

        Assert.Equal(503, error.StatusCode);
        Assert.StartsWith($"Vault at {harness.Vault.BaseAddress.Authority} is sealed (503)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vault_sealed_before_the_first_login_is_reported_as_sealed_not_as_a_login_failure()
    {
        await using var harness = await VaultHarness.StartAsync();
        harness.Vault.Seal();

        var error = await Assert.ThrowsAsync<VaultSealedException>(() => harness.Store.CreateAsync(Tenant, "github-main", First, default));
        harness.Vault.Unseal();
        var version = await harness.Store.CreateAsync(Tenant, "github-main", First, default);

        Assert.Contains("is sealed (503)", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, version);
    }

    [Fact]
    public async Task A_path_the_policy_does_not_grant_is_permission_denied_after_one_fresh_login()
    {
        await using var harness = await VaultHarness.StartAsync(arrange: v => v.Deny("integrationhub/tenants/other/"));

        var error = await Assert.ThrowsAsync<VaultPermissionDeniedException>(() => harness.Store.CreateAsync("other", "c1", First, default));

        Assert.Equal(403, error.StatusCode);
        Assert.Contains("denied write of secret/data/integrationhub/tenants/other/credentials/c1 (403 permission denied)", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, harness.Vault.Logins.Count);
    }

    [Fact]
    public async Task Ids_that_would_leave_the_tenants_folder_are_refused_before_any_request()
    {
        await using var harness = await VaultHarness.StartAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => harness.Store.ReadAsync("acme", "..", default));
        await Assert.ThrowsAsync<ArgumentException>(() => harness.Store.ReadAsync("acme/../other", "c1", default));
        await Assert.ThrowsAsync<ArgumentException>(() => harness.Store.ReadAsync("acme", "c1?version=1", default));
        Assert.Empty(harness.Vault.Requests);
    }

    [Fact]
    public async Task The_namespace_is_sent_on_every_request()
    {
        await using var harness = await VaultHarness.StartAsync(
            settings: new Dictionary<string, string?> { ["Vault:Namespace"] = "team-a" },
            arrange: v => v.Namespace = "team-a");

        await harness.Store.CreateAsync(Tenant, "github-main", First, default);
        Assert.NotNull(await harness.Store.ReadAsync(Tenant, "github-main", default));

        Assert.All(harness.Vault.Requests, r => Assert.Equal("team-a", r.Headers["X-Vault-Namespace"]));
    }

    [Fact]
    public async Task Without_the_namespace_vault_finds_nothing_for_the_hub()
    {
        await using var harness = await VaultHarness.StartAsync(arrange: v => v.Namespace = "team-a");

        var error = await Assert.ThrowsAsync<VaultLoginException>(() => harness.Store.ReadAsync(Tenant, "github-main", default));

        Assert.Equal(403, error.StatusCode);
        Assert.All(harness.Vault.Requests, r => Assert.False(r.Headers.ContainsKey("X-Vault-Namespace")));
    }

    [Fact]
    public async Task Values_that_are_not_strings_in_vault_are_read_as_their_json_text()
    {
        await using var harness = await VaultHarness.StartAsync();
        var token = harness.Vault.RootToken;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(harness.Vault.BaseAddress, "v1/secret/data/" + Path))
        {
            Content = new StringContent("""{"data":{"port":5432,"tls":true,"name":"db"}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Vault-Token", token);
        (await http.SendAsync(request)).EnsureSuccessStatusCode();

        var read = await harness.Store.ReadAsync(Tenant, "github-main", default);

        Assert.Equal("5432", read!.Values["port"]);
        Assert.Equal("true", read.Values["tls"]);
        Assert.Equal("db", read.Values["name"]);
    }

    [Fact]
    public async Task A_wrong_kv_mount_is_an_error_not_a_missing_secret()
    {
        await using var harness = await VaultHarness.StartAsync(settings: new Dictionary<string, string?> { ["Vault:KvMount"] = "kv" });

        var error = await Assert.ThrowsAsync<VaultException>(() => harness.Store.ReadAsync(Tenant, "github-main", default));

        Assert.Equal(404, error.StatusCode);
        Assert.Contains("Vault__KvMount", error.Message, StringComparison.Ordinal);
    }
}
