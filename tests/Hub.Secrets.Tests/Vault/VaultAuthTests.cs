using System.Text.Json;
using Azure.Core;
using IntegrationHub.Secrets.Tests.Support;
using IntegrationHub.Secrets.Vault;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Secrets.Tests.Vault;

/// <summary>Logging in to Vault and keeping the token alive: AppRole, Kubernetes, Azure, static tokens; renewal and re-login.</summary>
public sealed class VaultAuthTests
{
    private static readonly SecretValues Values = SecretValues.From(new Dictionary<string, string> { ["api_key"] = "sk-auth-0123456789abcdef" });

    [Fact]
    public async Task AppRole_login_posts_role_id_and_secret_id_and_the_token_is_used_without_logging_in_again()
    {
        await using var harness = await VaultHarness.StartAsync();

        await harness.Store.CreateAsync("acme", "c1", Values, default);
        await harness.Store.ReadAsync("acme", "c1", default);

        var login = Assert.Single(harness.Vault.Logins);
        Assert.Equal("auth/approle/login", login.Path);
        using var body = JsonDocument.Parse(login.Body);
        Assert.Equal(VaultHarness.RoleId, body.RootElement.GetProperty("role_id").GetString());
        Assert.Equal(VaultHarness.SecretId, body.RootElement.GetProperty("secret_id").GetString());
        var kvRequests = harness.Vault.Requests.Where(r => r.PathAndQuery.StartsWith("/v1/secret/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, kvRequests.Count);
        Assert.Single(kvRequests.Select(r => r.Headers["X-Vault-Token"]).Distinct());
    }

    [Fact]
    public async Task The_token_is_renewed_after_about_two_thirds_of_its_ttl_not_before()
    {
        await using var harness = await VaultHarness.StartAsync(ttl: TimeSpan.FromMinutes(30));
        await harness.Store.CreateAsync("acme", "c1", Values, default);

        harness.Time.Advance(TimeSpan.FromMinutes(15)); // 50%: before the earliest renewal point (62%)
        await harness.Store.ReadAsync("acme", "c1", default);
        Assert.Equal(0, harness.Vault.RenewCount);

        harness.Time.Advance(TimeSpan.FromMinutes(7)); // 73%: past the latest renewal point (72%)
        await harness.Store.ReadAsync("acme", "c1", default);
        Assert.Equal(1, harness.Vault.RenewCount);
        Assert.Single(harness.Vault.Logins);

        harness.Time.Advance(TimeSpan.FromMinutes(25)); // past the original expiry: the renewed token lives on
        Assert.NotNull(await harness.Store.ReadAsync("acme", "c1", default));
        Assert.Single(harness.Vault.Logins);
    }

    [Fact]
    public async Task When_renewal_fails_the_hub_logs_in_again()
    {
        await using var harness = await VaultHarness.StartAsync(ttl: TimeSpan.FromMinutes(30));
        await harness.Store.CreateAsync("acme", "c1", Values, default);

        harness.Vault.ExpireAllTokens();
        harness.Time.Advance(TimeSpan.FromMinutes(23));
        var read = await harness.Store.ReadAsync("acme", "c1", default);

        Assert.NotNull(read);
        Assert.Equal(0, harness.Vault.RenewCount);
        Assert.Equal(2, harness.Vault.Logins.Count);
        Assert.Contains(harness.Host.Logs.Lines, l => l.Contains("Renewing the Vault token", StringComparison.Ordinal) && l.Contains("(403)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_that_is_not_renewable_is_replaced_by_a_fresh_login()
    {
        await using var harness = await VaultHarness.StartAsync(ttl: TimeSpan.FromMinutes(30), renewable: false);
        await harness.Store.CreateAsync("acme", "c1", Values, default);

        harness.Time.Advance(TimeSpan.FromMinutes(23));
        await harness.Store.ReadAsync("acme", "c1", default);

        Assert.Equal(0, harness.Vault.RenewCount);
        Assert.Equal(2, harness.Vault.Logins.Count);
    }

    [Fact]
    public async Task A_token_revoked_mid_lease_is_replaced_and_the_request_retried_once()
    {
        await using var harness = await VaultHarness.StartAsync();
        await harness.Store.CreateAsync("acme", "c1", Values, default);

        harness.Vault.ExpireAllTokens();
        var read = await harness.Store.ReadAsync("acme", "c1", default);

        Assert.Equal("sk-auth-0123456789abcdef", read!.Values["api_key"]);
        Assert.Equal(2, harness.Vault.Logins.Count);
    }

    [Fact]
    public async Task Concurrent_requests_share_one_login()
    {
        await using var harness = await VaultHarness.StartAsync();

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => harness.Store.CreateAsync("acme", $"c{i}", Values, default)));

        Assert.Single(harness.Vault.Logins);
    }

    [Fact]
    public async Task Wrong_approle_credentials_are_a_login_error_that_does_not_repeat_them()
    {
        await using var harness = await VaultHarness.StartAsync(settings: new Dictionary<string, string?> { ["Vault:SecretId"] = "wrong-secret-id-4711" });

        var error = await Assert.ThrowsAsync<VaultLoginException>(() => harness.Store.ReadAsync("acme", "c1", default));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains("refused the approle login at auth/approle/login (400): invalid role or secret ID", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-id-4711", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubernetes_login_posts_the_role_and_the_service_account_token_read_from_its_file()
    {
        var jwtFile = System.IO.Path.GetTempFileName();
        await File.WriteAllTextAsync(jwtFile, "eyJrdWJlcm5ldGVzIjoidG9rZW4ifQ.k8s.sig\n");
        try
        {
            await using var harness = await VaultHarness.StartAsync(
                settings: new Dictionary<string, string?>
                {
                    ["Vault:AuthMethod"] = "kubernetes",
                    ["Vault:Role"] = "integrationhub",
                    ["Vault:KubernetesJwtPath"] = jwtFile,
                },
                arrange: v => v.AddJwtRole("kubernetes", "integrationhub", "eyJrdWJlcm5ldGVzIjoidG9rZW4ifQ.k8s.sig", TimeSpan.FromMinutes(10)));

            await harness.Store.CreateAsync("acme", "c1", Values, default);

            var login = Assert.Single(harness.Vault.Logins);
            Assert.Equal("auth/kubernetes/login", login.Path);
            using var body = JsonDocument.Parse(login.Body);
            Assert.Equal("integrationhub", body.RootElement.GetProperty("role").GetString());
            Assert.Equal("eyJrdWJlcm5ldGVzIjoidG9rZW4ifQ.k8s.sig", body.RootElement.GetProperty("jwt").GetString());
        }
        finally
        {
            File.Delete(jwtFile);
        }
    }

    [Fact]
    public async Task Azure_login_posts_a_managed_identity_token_for_the_configured_resource_with_the_documented_fields()
    {
        var credential = new FakeAzureCredential("eyJhenVyZSI6Im1pIn0.azure.sig");
        await using var harness = await VaultHarness.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Vault:AuthMethod"] = "azure",
                ["Vault:AuthMount"] = "azure-prod",
                ["Vault:Role"] = "hub-role",
                ["Vault:AzureResource"] = "https://management.azure.com/",
                ["Vault:AzureSubscriptionId"] = "11111111-2222-3333-4444-555555555555",
                ["Vault:AzureResourceGroupName"] = "rg-hub",
                ["Vault:AzureVmName"] = "vm-hub",
            },
            arrange: v => v.AddJwtRole("azure-prod", "hub-role", "eyJhenVyZSI6Im1pIn0.azure.sig", TimeSpan.FromMinutes(10)),
            configure: s => s.AddKeyedSingleton<TokenCredential>(SecretsServiceCollectionExtensions.VaultAzureCredentialKey, credential));

        await harness.Store.CreateAsync("acme", "c1", Values, default);

        Assert.Equal(["https://management.azure.com//.default"], credential.Scopes);
        var login = Assert.Single(harness.Vault.Logins);
        Assert.Equal("auth/azure-prod/login", login.Path);
        using var body = JsonDocument.Parse(login.Body);
        Assert.Equal("hub-role", body.RootElement.GetProperty("role").GetString());
        Assert.Equal("eyJhenVyZSI6Im1pIn0.azure.sig", body.RootElement.GetProperty("jwt").GetString());
        Assert.Equal("11111111-2222-3333-4444-555555555555", body.RootElement.GetProperty("subscription_id").GetString());
        Assert.Equal("rg-hub", body.RootElement.GetProperty("resource_group_name").GetString());
        Assert.Equal("vm-hub", body.RootElement.GetProperty("vm_name").GetString());
        Assert.False(body.RootElement.TryGetProperty("vmss_name", out _));
    }

    [Fact]
    public async Task A_static_token_is_looked_up_and_renewed_when_renewable()
    {
        string? token = null;
        await using var harness = await VaultHarness.StartAsync(arrange: v => token = v.CreateToken(TimeSpan.FromHours(1)));
        await using var host = SecretsHost.Create(
            new Dictionary<string, string?>
            {
                ["Vault:Address"] = harness.Vault.BaseAddress.ToString(),
                ["Vault:AuthMethod"] = "token",
                ["Vault:Token"] = token,
            },
            harness.Time);

        await host.Store.CreateAsync("acme", "c1", Values, default);
        harness.Time.Advance(TimeSpan.FromMinutes(45));
        await host.Store.ReadAsync("acme", "c1", default);

        Assert.Contains(harness.Vault.Requests, r => r.PathAndQuery == "/v1/auth/token/lookup-self");
        Assert.Equal(1, harness.Vault.RenewCount);
        Assert.Empty(harness.Vault.Logins);
    }

    [Fact]
    public async Task A_root_token_that_never_expires_is_never_renewed()
    {
        await using var harness = await VaultHarness.StartAsync(settings: new Dictionary<string, string?> { ["Vault:AuthMethod"] = "token" });
        await using var host = SecretsHost.Create(
            new Dictionary<string, string?>
            {
                ["Vault:Address"] = harness.Vault.BaseAddress.ToString(),
                ["Vault:Token"] = harness.Vault.RootToken,
            },
            harness.Time);

        await host.Store.CreateAsync("acme", "c1", Values, default);
        harness.Time.Advance(TimeSpan.FromDays(400));
        await host.Store.ReadAsync("acme", "c1", default);

        Assert.Equal(0, harness.Vault.RenewCount);
        Assert.Single(harness.Vault.Requests, r => r.PathAndQuery == "/v1/auth/token/lookup-self");
    }

    [Fact]
    public async Task The_probe_reports_reachable_sealed_and_not_configured()
    {
        await using var harness = await VaultHarness.StartAsync();
        var probe = harness.Host.Services.GetServices<IDependencyProbe>().Single(p => p.Name == "vault");

        var reachable = await probe.ProbeAsync(default);
        harness.Vault.Seal();
        var sealedState = await probe.ProbeAsync(default);
        await using var local = SecretsHost.Create(new Dictionary<string, string?> { ["Secrets:LocalKey"] = Convert.ToBase64String(new byte[32]) });
        var notConfigured = await local.Services.GetServices<IDependencyProbe>().Single(p => p.Name == "vault").ProbeAsync(default);

        Assert.Equal(DependencyStatus.Reachable, reachable.Status);
        Assert.Equal(DependencyStatus.Unreachable, sealedState.Status);
        Assert.Contains("sealed", sealedState.Detail, StringComparison.Ordinal);
        Assert.False(sealedState.Required);
        Assert.Equal(DependencyStatus.NotConfigured, notConfigured.Status);
    }

    [Fact]
    public async Task An_unreachable_vault_is_a_clear_error()
    {
        var port = IntegrationHub.TestDoubles.Cosmos.CosmosEmulator.FreePort();
        await using var host = SecretsHost.Create(new Dictionary<string, string?>
        {
            ["Vault:Address"] = $"http://127.0.0.1:{port}",
            ["Vault:Token"] = "hvs.not-used",
        });

        var error = await Assert.ThrowsAsync<VaultException>(() => host.Store.ReadAsync("acme", "c1", default));

        Assert.StartsWith($"Vault at 127.0.0.1:{port} is not reachable", error.Message, StringComparison.Ordinal);
    }

    private sealed class FakeAzureCredential(string jwt) : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken(jwt, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
