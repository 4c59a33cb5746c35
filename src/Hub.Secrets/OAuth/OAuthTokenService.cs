using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Secrets.OAuth;

/// <summary>
/// Access tokens for connectors whose credentials are OAuth2 (RFC 6749): the client-credentials grant
/// (§4.4) and the refresh-token grant (§6), posted as forms to the token endpoint stored in the
/// credential's secret values (<see cref="OAuthSecretNames"/>).
/// </summary>
/// <remarks>
/// <para>Tokens are cached in memory until <see cref="OAuthOptions.RefreshBeforeExpiry"/> before they
/// expire, and written back to the <see cref="ISecretStore"/> with check-and-set, so other hub instances
/// reuse them instead of refreshing again.</para>
/// <para>One refresh per credential at a time (single flight): every caller that needs the credential
/// while a refresh is running waits for that refresh and gets its result, success or failure. A provider
/// that rotates refresh tokens would otherwise see the second refresh present an already-used token and
/// revoke the grant.</para>
/// <para>When the write-back loses a check-and-set race, the winner's values are read back: if they hold a
/// valid access token, that one is used; otherwise this refresh's tokens are written on top of them once more.</para>
/// <para>A refused grant (<c>invalid_grant</c> or any other 4xx) is a <see cref="ReauthorizationRequiredException"/>
/// and is remembered for the credential's current secret version, so nothing retries it forever; a new
/// version (the user re-authorized) clears it. A refresh answer without <c>refresh_token</c> keeps the stored one.</para>
/// </remarks>
public sealed partial class OAuthTokenService
{
    /// <summary>The named <see cref="HttpClient"/> token requests use.</summary>
    public const string HttpClientName = "IntegrationHub.OAuth";

    private readonly ISecretStore _store;
    private readonly IHttpClientFactory _httpClients;
    private readonly TimeProvider _time;
    private readonly OAuthOptions _options;
    private readonly ILogger<OAuthTokenService> _logger;
    private readonly Dictionary<(string Tenant, string Credential), Task<OAuthAccessToken>> _flights = [];
    private readonly Lock _flightsGate = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Tenant, string Credential), OAuthAccessToken> _cache = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Tenant, string Credential), (long Version, ReauthorizationRequiredException Error)> _refused = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Tenant, string Credential), string> _rejected = new();

    public OAuthTokenService(ISecretStore store, IHttpClientFactory httpClients, TimeProvider time, IOptions<OAuthOptions> options, ILogger<OAuthTokenService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _httpClients = httpClients;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>A valid access token for the credential, refreshing it first when it is missing or about to expire.</summary>
    /// <exception cref="ReauthorizationRequiredException">The provider refused the grant; mark the credential <c>needs_reauth</c>.</exception>
    /// <exception cref="OAuthTokenException">The token endpoint could not be reached or failed (5xx); retry later.</exception>
    public async Task<OAuthAccessToken> GetAccessTokenAsync(string tenantId, string credentialId, CancellationToken cancellationToken)
    {
        SecretPath.Validate(tenantId, credentialId);
        var key = (tenantId, credentialId);
        if (_cache.TryGetValue(key, out var cached) && Fresh(cached))
        {
            return cached;
        }

        Task<OAuthAccessToken> flight;
        lock (_flightsGate)
        {
            if (!_flights.TryGetValue(key, out flight!))
            {
                flight = RunFlightAsync(key);
                _flights[key] = flight;
            }
        }

        // Each caller may stop waiting; the shared refresh still completes for the others.
        return await flight.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets the cached access token (the provider answered 401 to it), so the next call refreshes.</summary>
    public void Invalidate(string tenantId, string credentialId)
    {
        if (_cache.TryRemove((tenantId, credentialId), out var token))
        {
            // The same token may also be the stored one: it must not be picked up again from the store.
            _rejected[(tenantId, credentialId)] = token.AccessToken;
        }
    }

    private async Task<OAuthAccessToken> RunFlightAsync((string Tenant, string Credential) key)
    {
        // Yield so the flight is registered before it can complete and remove itself.
        await Task.Yield();
        try
        {
            var token = await RefreshAsync(key.Tenant, key.Credential);
            _cache[key] = token;
            return token;
        }
        finally
        {
            lock (_flightsGate)
            {
                _flights.Remove(key);
            }
        }
    }

    private async Task<OAuthAccessToken> RefreshAsync(string tenantId, string credentialId)
    {
        // Bounds the whole refresh (read, token request, write-back) in real time; no caller can cancel a shared flight.
        using var timeout = new CancellationTokenSource(_options.Timeout * 3);
        var cancellationToken = timeout.Token;
        var stored = await _store.ReadAsync(tenantId, credentialId, cancellationToken)
            ?? throw new OAuthTokenException($"Credential '{credentialId}' in tenant '{tenantId}' has no secret values stored; it cannot get an OAuth access token.");

        // Another instance may have refreshed already.
        var key = (tenantId, credentialId);
        if (StoredAccessToken(stored.Values) is { } current && Fresh(current) && !Rejected(key, current))
        {
            return current;
        }

        if (_refused.TryGetValue(key, out var refused) && refused.Version == stored.Version)
        {
            throw refused.Error;
        }

        var grant = Grant(stored.Values);
        var response = await RequestTokenAsync(tenantId, credentialId, grant, stored, cancellationToken);
        var token = response.Token;

        var written = Merge(stored.Values, response);
        try
        {
            await _store.UpdateAsync(tenantId, credentialId, written, stored.Version, cancellationToken);
        }
        catch (SecretVersionConflictException)
        {
            var winner = await _store.ReadAsync(tenantId, credentialId, cancellationToken);
            if (winner is not null && StoredAccessToken(winner.Values) is { } theirs && Fresh(theirs) && !Rejected(key, theirs))
            {
                Logs.OAuthWriteBackLostToFresherToken(_logger, tenantId, credentialId);
                return theirs;
            }

            if (winner is not null)
            {
                try
                {
                    await _store.UpdateAsync(tenantId, credentialId, Merge(winner.Values, response), winner.Version, cancellationToken);
                }
                catch (SecretVersionConflictException)
                {
                    Logs.OAuthWriteBackFailed(_logger, tenantId, credentialId, response.RefreshToken is not null);
                }
            }
        }

        _refused.TryRemove(key, out _);
        _rejected.TryRemove(key, out _);
        var expiresIn = token.ExpiresAt - _time.GetUtcNow();
        Logs.OAuthTokenObtained(_logger, tenantId, credentialId, grant, expiresIn.TotalSeconds);
        return token;
    }

    private async Task<TokenResponse> RequestTokenAsync(string tenantId, string credentialId, string grant, StoredSecret stored, CancellationToken cancellationToken)
    {
        var values = stored.Values;
        var endpoint = TokenEndpoint(tenantId, credentialId, values);
        var clientId = values.GetValueOrDefault(OAuthSecretNames.ClientId);
        var clientSecret = values.GetValueOrDefault(OAuthSecretNames.ClientSecret);
        var form = new List<KeyValuePair<string, string>> { new("grant_type", grant) };
        if (grant == "refresh_token")
        {
            var refreshToken = values.GetValueOrDefault(OAuthSecretNames.RefreshToken);
            if (string.IsNullOrEmpty(refreshToken))
            {
                throw Refused(tenantId, credentialId, stored.Version, endpoint.Authority, grant, null, null, "no refresh token is stored");
            }

            form.Add(new("refresh_token", refreshToken));
        }

        if (values.GetValueOrDefault(OAuthSecretNames.Scope) is { Length: > 0 } scope)
        {
            form.Add(new("scope", scope));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        var basic = !string.Equals(values.GetValueOrDefault(OAuthSecretNames.ClientAuthentication), "body", StringComparison.OrdinalIgnoreCase);
        if (basic && !string.IsNullOrEmpty(clientSecret) && !string.IsNullOrEmpty(clientId))
        {
            // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
            var pair = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        else
        {
            if (!string.IsNullOrEmpty(clientId))
            {
                form.Add(new("client_id", clientId));
            }

            if (!string.IsNullOrEmpty(clientSecret))
            {
                form.Add(new("client_secret", clientSecret));
            }
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var http = _httpClients.CreateClient(HttpClientName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (HttpRequestException e)
        {
            throw new OAuthTokenException($"The OAuth token endpoint at {endpoint.Authority} is not reachable for credential '{credentialId}' in tenant '{tenantId}': {e.HttpRequestError}.", e);
        }
        catch (OperationCanceledException e)
        {
            throw new OAuthTokenException($"The OAuth token endpoint at {endpoint.Authority} did not answer within {_options.Timeout.TotalSeconds:0.###} s (OAuth__Timeout) for credential '{credentialId}' in tenant '{tenantId}'.", e);
        }

        using (response)
        {
            JsonDocument? body = null;
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                body = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            }
            catch (JsonException)
            {
            }

            using (body)
            {
                var status = (int)response.StatusCode;
                var root = body?.RootElement ?? default;
                if (status is >= 400 and < 500)
                {
                    var error = ErrorCode(root);
                    throw Refused(tenantId, credentialId, stored.Version, endpoint.Authority, grant, status, error, null);
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new OAuthTokenException($"The OAuth token endpoint at {endpoint.Authority} answered {status} to the {grant} grant for credential '{credentialId}' in tenant '{tenantId}'; retry later.")
                    {
                        StatusCode = status,
                    };
                }

                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("access_token", out var access) || access.ValueKind != JsonValueKind.String)
                {
                    throw new OAuthTokenException($"The OAuth token endpoint at {endpoint.Authority} answered the {grant} grant for credential '{credentialId}' in tenant '{tenantId}' without an access_token.")
                    {
                        StatusCode = status,
                    };
                }

                var lifetime = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var seconds) && seconds > 0
                    ? TimeSpan.FromSeconds(seconds)
                    : _options.DefaultLifetime;
                var type = root.TryGetProperty("token_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "Bearer";
                var refresh = root.TryGetProperty("refresh_token", out var r) && r.ValueKind == JsonValueKind.String && r.GetString() is { Length: > 0 } rotated ? rotated : null;
                return new TokenResponse(new OAuthAccessToken(access.GetString()!, type, _time.GetUtcNow() + lifetime), refresh);
            }
        }
    }

    private ReauthorizationRequiredException Refused(string tenantId, string credentialId, long version, string host, string grant, int? status, string? error, string? reason)
    {
        var what = reason ?? $"{error ?? "an error"} ({status})";
        var exception = new ReauthorizationRequiredException(
            $"The OAuth provider at {host} refused the {grant} grant for credential '{credentialId}' in tenant '{tenantId}': {what}. The credential needs to be authorized again.")
        {
            TenantId = tenantId,
            CredentialId = credentialId,
            StatusCode = status,
            ErrorCode = error,
        };
        _refused[(tenantId, credentialId)] = (version, exception);
        Logs.OAuthGrantRefused(_logger, tenantId, credentialId, grant, host, status ?? 0, error ?? reason ?? "unknown");
        return exception;
    }

    private static SecretValues Merge(SecretValues values, TokenResponse response)
    {
        var merged = values
            .With(OAuthSecretNames.AccessToken, response.Token.AccessToken)
            .With(OAuthSecretNames.TokenType, response.Token.TokenType)
            .With(OAuthSecretNames.AccessTokenExpiresAt, response.Token.ExpiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));

        // A provider that does not rotate refresh tokens omits it: the stored one stays valid and must be kept.
        return response.RefreshToken is null ? merged : merged.With(OAuthSecretNames.RefreshToken, response.RefreshToken);
    }

    private static OAuthAccessToken? StoredAccessToken(SecretValues values) =>
        values.GetValueOrDefault(OAuthSecretNames.AccessToken) is { Length: > 0 } token
        && DateTimeOffset.TryParse(values.GetValueOrDefault(OAuthSecretNames.AccessTokenExpiresAt), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiresAt)
            ? new OAuthAccessToken(token, values.GetValueOrDefault(OAuthSecretNames.TokenType) ?? "Bearer", expiresAt)
            : null;

    private bool Rejected((string Tenant, string Credential) key, OAuthAccessToken token) =>
        _rejected.TryGetValue(key, out var rejected) && string.Equals(rejected, token.AccessToken, StringComparison.Ordinal);

    private bool Fresh(OAuthAccessToken token) => token.ExpiresAt - _options.RefreshBeforeExpiry > _time.GetUtcNow();

    private static string Grant(SecretValues values) => values.GetValueOrDefault(OAuthSecretNames.GrantType) switch
    {
        "client_credentials" => "client_credentials",
        "refresh_token" => "refresh_token",
        _ when values.ContainsKey(OAuthSecretNames.RefreshToken) => "refresh_token",
        _ => "client_credentials",
    };

    private static Uri TokenEndpoint(string tenantId, string credentialId, SecretValues values)
    {
        var url = values.GetValueOrDefault(OAuthSecretNames.TokenUrl);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            throw new OAuthTokenException($"Credential '{credentialId}' in tenant '{tenantId}' has no valid '{OAuthSecretNames.TokenUrl}' (an https URL; http only for loopback).");
        }

        return uri;
    }

    // The OAuth error code only (RFC 6749 §5.2: ASCII letters and '_'); descriptions are free text and stay out of messages.
    private static string? ErrorCode(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
        && error.GetString() is { } code && ErrorCodePattern().IsMatch(code)
            ? code
            : null;

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorCodePattern();

    private sealed record TokenResponse(OAuthAccessToken Token, string? RefreshToken)
    {
        public override string ToString() => $"TokenResponse {{ Token = {Token}, RefreshToken = {(RefreshToken is null ? "none" : "****")} }}";
    }
}
