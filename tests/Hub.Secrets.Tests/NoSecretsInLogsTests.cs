using IntegrationHub.Secrets.OAuth;
using IntegrationHub.Secrets.Tests.Support;
using IntegrationHub.Secrets.Vault;
using IntegrationHub.TestDoubles.OAuth;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Secrets.Tests;

/// <summary>
/// One session through every path that handles secrets — AppRole login, renewal and re-login, CAS
/// writes and conflicts, sealed errors, OAuth refresh, rotation and refusal — with every log line
/// captured at Trace level with their structured values (the HTTP client factory's request logging is
/// removed from these clients). No secret value, Vault
/// token, AppRole secret id, client secret, access or refresh token may appear in any of them, nor in
/// any exception's ToString.
/// </summary>
public sealed class NoSecretsInLogsTests
{
    [Fact]
    public async Task No_secret_reaches_a_log_line_or_an_exception()
    {
        await using var provider = new OAuthTokenEndpointDouble { RotateRefreshTokens = true };
        await provider.StartAsync();
        await using var harness = await VaultHarness.StartAsync(ttl: TimeSpan.FromMinutes(30));
        var store = harness.Store;
        var oauth = harness.Host.Services.GetRequiredService<OAuthTokenService>();
        var exceptions = new List<Exception>();
        var apiKey = "sk-live-" + Guid.NewGuid().ToString("N");
        var refresh = provider.AddRefreshToken();

        var v1 = await store.CreateAsync("acme", "github", SecretValues.From(new Dictionary<string, string> { ["api_key"] = apiKey }), default);
        exceptions.Add(await Assert.ThrowsAsync<SecretAlreadyExistsException>(() => store.CreateAsync("acme", "github", SecretValues.From(new Dictionary<string, string> { ["api_key"] = apiKey + "-2" }), default)));
        await store.UpdateAsync("acme", "github", SecretValues.From(new Dictionary<string, string> { ["api_key"] = apiKey + "-rotated" }), v1, default);
        exceptions.Add(await Assert.ThrowsAsync<SecretVersionConflictException>(() => store.UpdateAsync("acme", "github", SecretValues.From(new Dictionary<string, string> { ["api_key"] = apiKey + "-stale" }), v1, default)));

        await store.CreateAsync("acme", "jira", SecretValues.From(new Dictionary<string, string>
        {
            [OAuthSecretNames.TokenUrl] = provider.TokenUrl.ToString(),
            [OAuthSecretNames.ClientId] = provider.ClientId,
            [OAuthSecretNames.ClientSecret] = provider.ClientSecret,
            [OAuthSecretNames.RefreshToken] = refresh,
        }), default);
        await store.CreateAsync("acme", "revoked", SecretValues.From(new Dictionary<string, string>
        {
            [OAuthSecretNames.TokenUrl] = provider.TokenUrl.ToString(),
            [OAuthSecretNames.ClientId] = provider.ClientId,
            [OAuthSecretNames.ClientSecret] = provider.ClientSecret,
            [OAuthSecretNames.RefreshToken] = "rt-revoked-" + Guid.NewGuid().ToString("N"),
        }), default);
        var access = await oauth.GetAccessTokenAsync("acme", "jira", default);
        exceptions.Add(await Assert.ThrowsAsync<ReauthorizationRequiredException>(() => oauth.GetAccessTokenAsync("acme", "revoked", default)));

        harness.Time.Advance(TimeSpan.FromMinutes(23));
        await store.ReadAsync("acme", "github", default); // renewal
        harness.Vault.ExpireAllTokens();
        harness.Time.Advance(TimeSpan.FromMinutes(23));
        var read = await store.ReadAsync("acme", "github", default); // failed renewal, re-login
        harness.Vault.Seal();
        exceptions.Add(await Assert.ThrowsAsync<VaultSealedException>(() => store.ReadAsync("acme", "github", default)));

        var secrets = new List<string> { apiKey, VaultHarness.SecretId, provider.ClientSecret, access.AccessToken };
        secrets.AddRange(harness.Vault.IssuedTokens);
        secrets.AddRange(provider.IssuedTokens);
        var revokedRefresh = harness.Vault.Logins.Count; // logins happened: their tokens are in IssuedTokens
        Assert.True(revokedRefresh >= 2);
        Assert.True(harness.Vault.RenewCount >= 1);

        var lines = harness.Host.Logs.Lines;
        Assert.NotEmpty(lines);
        Assert.Contains(lines, l => l.StartsWith("Debug ", StringComparison.Ordinal)); // captured below the default level
        // The HTTP client factory's request logging is removed from the secret-bearing clients: its Trace "Request
        // Headers" record carried the raw X-Vault-Token in its structured state (only the message was redacted).
        Assert.DoesNotContain(lines, l => l.Contains("System.Net.Http.HttpClient.", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(exceptions, e => e.ToString().Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, read!.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, access.ToString(), StringComparison.Ordinal);
        }
    }
}
