using System.Text;
using IntegrationHub.Secrets.OAuth;
using IntegrationHub.Secrets.Tests.Support;
using IntegrationHub.TestDoubles.OAuth;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Secrets.Tests.OAuth;

/// <summary>OAuth2 access tokens against a token-endpoint double, with the secrets kept in the Vault double.</summary>
public sealed class OAuthTokenServiceTests : IAsyncLifetime
{
    private readonly OAuthTokenEndpointDouble _provider = new();
    private VaultHarness _vault = null!;

    private OAuthTokenService Service => _vault.Host.Services.GetRequiredService<OAuthTokenService>();

    public async Task InitializeAsync()
    {
        await _provider.StartAsync();
        _vault = await VaultHarness.StartAsync(ttl: TimeSpan.FromDays(30));
    }

    public async Task DisposeAsync()
    {
        await _vault.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task Many_runs_needing_a_token_at_once_cause_one_token_request_and_the_token_is_written_back()
    {
        var refresh = _provider.AddRefreshToken();
        await StoreCredentialAsync("jira", refresh);
        _provider.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 16).Select(_ => Service.GetAccessTokenAsync("acme", "jira", default)).ToList();
        await _provider.RequestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _provider.Gate.SetResult();
        var tokens = await Task.WhenAll(callers);

        Assert.Equal(1, _provider.TokenRequests);
        Assert.Single(tokens.Select(t => t.AccessToken).Distinct());
        var stored = await _vault.Store.ReadAsync("acme", "jira", default);
        Assert.Equal(2, stored!.Version);
        Assert.Equal(tokens[0].AccessToken, stored.Values[OAuthSecretNames.AccessToken]);
        Assert.Equal("refresh_token", _provider.Forms.Single()["grant_type"]);
        Assert.Equal(refresh, _provider.Forms.Single()["refresh_token"]);
    }

    [Fact]
    public async Task A_token_is_reused_until_shortly_before_it_expires()
    {
        await StoreCredentialAsync("jira", _provider.AddRefreshToken());

        var first = await Service.GetAccessTokenAsync("acme", "jira", default);
        _vault.Time.Advance(TimeSpan.FromMinutes(58));
        var again = await Service.GetAccessTokenAsync("acme", "jira", default);
        _vault.Time.Advance(TimeSpan.FromSeconds(90)); // inside the 60 s refresh margin
        var renewed = await Service.GetAccessTokenAsync("acme", "jira", default);

        Assert.Equal(first.AccessToken, again.AccessToken);
        Assert.NotEqual(first.AccessToken, renewed.AccessToken);
        Assert.Equal(2, _provider.TokenRequests);
    }

    [Fact]
    public async Task A_refresh_answer_without_a_refresh_token_keeps_the_stored_one()
    {
        var refresh = _provider.AddRefreshToken();
        await StoreCredentialAsync("jira", refresh);

        await Service.GetAccessTokenAsync("acme", "jira", default);

        Assert.Equal(refresh, (await _vault.Store.ReadAsync("acme", "jira", default))!.Values[OAuthSecretNames.RefreshToken]);
    }

    [Fact]
    public async Task A_rotated_refresh_token_replaces_the_stored_one()
    {
        _provider.RotateRefreshTokens = true;
        var refresh = _provider.AddRefreshToken();
        await StoreCredentialAsync("jira", refresh);

        await Service.GetAccessTokenAsync("acme", "jira", default);

        var stored = (await _vault.Store.ReadAsync("acme", "jira", default))!.Values[OAuthSecretNames.RefreshToken];
        Assert.NotEqual(refresh, stored);
        Assert.Contains(stored, _provider.IssuedTokens);
    }

    [Fact]
    public async Task A_refused_refresh_token_requires_reauthorization_and_is_not_retried_until_the_credential_changes()
    {
        await StoreCredentialAsync("jira", "rt-the-provider-never-issued");

        var error = await Assert.ThrowsAsync<ReauthorizationRequiredException>(() => Service.GetAccessTokenAsync("acme", "jira", default));
        await Assert.ThrowsAsync<ReauthorizationRequiredException>(() => Service.GetAccessTokenAsync("acme", "jira", default));

        Assert.Equal("invalid_grant", error.ErrorCode);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal(("acme", "jira"), (error.TenantId, error.CredentialId));
        Assert.Equal(1, _provider.TokenRequests);
        Assert.DoesNotContain("rt-the-provider-never-issued", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("rt-the-provider-never-issued", (await _vault.Store.ReadAsync("acme", "jira", default))!.Values[OAuthSecretNames.RefreshToken]);

        // The user authorizes again: a new version with a valid refresh token.
        var stored = (await _vault.Store.ReadAsync("acme", "jira", default))!;
        await _vault.Store.UpdateAsync("acme", "jira", stored.Values.With(OAuthSecretNames.RefreshToken, _provider.AddRefreshToken()), stored.Version, default);
        var token = await Service.GetAccessTokenAsync("acme", "jira", default);

        Assert.StartsWith("at-", token.AccessToken, StringComparison.Ordinal);
        Assert.Equal(2, _provider.TokenRequests);
    }

    [Fact]
    public async Task Callers_waiting_on_a_refused_refresh_all_get_the_refusal_from_one_request()
    {
        await StoreCredentialAsync("jira", "rt-revoked-by-the-user");
        _provider.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 8).Select(_ => Service.GetAccessTokenAsync("acme", "jira", default)).ToList();
        await _provider.RequestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _provider.Gate.SetResult();

        foreach (var caller in callers)
        {
            await Assert.ThrowsAsync<ReauthorizationRequiredException>(() => caller);
        }

        Assert.Equal(1, _provider.TokenRequests);
    }

    [Fact]
    public async Task Wrong_client_credentials_require_reauthorization()
    {
        await StoreCredentialAsync("api", refreshToken: null, clientSecret: "not-the-registered-secret");

        var error = await Assert.ThrowsAsync<ReauthorizationRequiredException>(() => Service.GetAccessTokenAsync("acme", "api", default));

        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Equal(401, error.StatusCode);
    }

    [Fact]
    public async Task A_provider_outage_is_a_transient_error_not_a_reauthorization()
    {
        await StoreCredentialAsync("jira", _provider.AddRefreshToken());
        _provider.FailWithStatus = 503;

        var error = await Assert.ThrowsAsync<OAuthTokenException>(() => Service.GetAccessTokenAsync("acme", "jira", default));
        _provider.FailWithStatus = null;
        var token = await Service.GetAccessTokenAsync("acme", "jira", default);

        Assert.IsNotType<ReauthorizationRequiredException>(error);
        Assert.Equal(503, error.StatusCode);
        Assert.NotNull(token);
    }

    [Fact]
    public async Task Client_credentials_use_http_basic_by_default_and_the_form_when_asked()
    {
        await StoreCredentialAsync("api", refreshToken: null, scope: "read write");
        await StoreCredentialAsync("api-body", refreshToken: null, clientAuth: "body");

        await Service.GetAccessTokenAsync("acme", "api", default);
        await Service.GetAccessTokenAsync("acme", "api-body", default);

        var basic = _provider.Requests.First(r => r.PathAndQuery == "/oauth/token");
        var expected = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_provider.ClientId}:{_provider.ClientSecret}"));
        Assert.Equal($"Basic {expected}", basic.Headers["Authorization"]);
        Assert.Equal("client_credentials", _provider.Forms[0]["grant_type"]);
        Assert.Equal("read write", _provider.Forms[0]["scope"]);
        Assert.False(_provider.Forms[0].ContainsKey("client_secret"));
        Assert.Equal(_provider.ClientSecret, _provider.Forms[1]["client_secret"]);
        Assert.Equal(_provider.ClientId, _provider.Forms[1]["client_id"]);
    }

    [Fact]
    public async Task When_another_instance_refreshed_first_its_token_is_used()
    {
        await StoreCredentialAsync("jira", _provider.AddRefreshToken());
        _provider.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ours = Service.GetAccessTokenAsync("acme", "jira", default);
        await _provider.RequestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Meanwhile another hub instance wrote a fresh access token.
        var stored = (await _vault.Store.ReadAsync("acme", "jira", default))!;
        var theirs = stored.Values
            .With(OAuthSecretNames.AccessToken, "at-from-the-other-instance")
            .With(OAuthSecretNames.AccessTokenExpiresAt, _vault.Time.GetUtcNow().AddHours(1).ToString("O"));
        await _vault.Store.UpdateAsync("acme", "jira", theirs, stored.Version, default);
        _provider.Gate.SetResult();

        var token = await ours;

        Assert.Equal("at-from-the-other-instance", token.AccessToken);
        Assert.Equal(2, (await _vault.Store.ReadAsync("acme", "jira", default))!.Version);
    }

    [Fact]
    public async Task An_invalidated_token_is_not_picked_up_again_from_the_store()
    {
        await StoreCredentialAsync("jira", _provider.AddRefreshToken());
        var first = await Service.GetAccessTokenAsync("acme", "jira", default);

        Service.Invalidate("acme", "jira");
        var second = await Service.GetAccessTokenAsync("acme", "jira", default);

        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(2, _provider.TokenRequests);
    }

    private async Task StoreCredentialAsync(string credentialId, string? refreshToken, string? clientSecret = null, string? scope = null, string? clientAuth = null)
    {
        var values = new Dictionary<string, string>
        {
            [OAuthSecretNames.TokenUrl] = _provider.TokenUrl.ToString(),
            [OAuthSecretNames.ClientId] = _provider.ClientId,
            [OAuthSecretNames.ClientSecret] = clientSecret ?? _provider.ClientSecret,
        };
        if (refreshToken is not null)
        {
            values[OAuthSecretNames.RefreshToken] = refreshToken;
        }

        if (scope is not null)
        {
            values[OAuthSecretNames.Scope] = scope;
        }

        if (clientAuth is not null)
        {
            values[OAuthSecretNames.ClientAuthentication] = clientAuth;
        }

        await _vault.Store.CreateAsync("acme", credentialId, SecretValues.From(values), default);
    }
}
