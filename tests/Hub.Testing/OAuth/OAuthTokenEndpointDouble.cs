using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Server;

namespace IntegrationHub.TestDoubles.OAuth;

/// <summary>
/// An OAuth 2.0 token endpoint (RFC 6749) on WireMock.Net at <c>POST /oauth/token</c>: form-encoded requests, the
/// client authenticated by HTTP Basic (§2.3.1) or by <c>client_id</c>/<c>client_secret</c> in the body,
/// the <c>client_credentials</c> (§4.4) and <c>refresh_token</c> (§6) grants, JSON answers (§5.1) and
/// errors (§5.2: 400 <c>invalid_grant</c>, 401 <c>invalid_client</c>, 400 <c>unsupported_grant_type</c>).
/// </summary>
public sealed class OAuthTokenEndpointDouble : WireMockDouble
{
    private readonly ConcurrentDictionary<string, bool> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _forms = new();
    private readonly ConcurrentBag<string> _issued = [];
    private int _tokenRequests;

    /// <summary>The registered client id.</summary>
    public string ClientId { get; set; } = "hub-client";

    /// <summary>The registered client secret.</summary>
    public string ClientSecret { get; set; } = "client-secret-" + RandomNumberGenerator.GetHexString(16);

    /// <summary>The lifetime sent as <c>expires_in</c>.</summary>
    public int ExpiresInSeconds { get; set; } = 3600;

    /// <summary>Whether a refresh answer carries a new refresh token (rotation) and revokes the one presented.</summary>
    public bool RotateRefreshTokens { get; set; }

    /// <summary>Answers every request with this status (e.g. 503), when set.</summary>
    public int? FailWithStatus { get; set; }

    /// <summary>When set, token requests wait for it before answering (to hold many callers at once).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Signalled when a token request arrives.</summary>
    public TaskCompletionSource RequestArrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The token endpoint URL.</summary>
    public Uri TokenUrl => new(BaseAddress, "oauth/token");

    /// <summary>How many token requests arrived.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>The forms of every token request (client secret included: tests assert shapes).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Forms => [.. _forms];

    /// <summary>Every access and refresh token the double issued.</summary>
    public IReadOnlyCollection<string> IssuedTokens => [.. _issued];

    /// <summary>Registers a refresh token the provider will accept.</summary>
    public string AddRefreshToken()
    {
        var token = "rt-" + RandomNumberGenerator.GetHexString(24);
        _refreshTokens[token] = true;
        _issued.Add(token);
        return token;
    }

    /// <summary>Revokes every refresh token (the user withdrew consent).</summary>
    public void RevokeAllRefreshTokens() => _refreshTokens.Clear();

    /// <inheritdoc />
    protected override void Map(WireMockServer server) => RouteAsync("/oauth/token", ["POST"], HandleAsync);

    private async Task<ResponseMessage> HandleAsync(IRequestMessage request)
    {
        Interlocked.Increment(ref _tokenRequests);
        RequestArrived.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        if (FailWithStatus is { } status)
        {
            return Text(status, "upstream unavailable", "text/plain");
        }

        if (!HasContentType(request, "application/x-www-form-urlencoded"))
        {
            return Error(400, "invalid_request");
        }

        var form = FormOf(request).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        _forms.Enqueue(form);

        var (clientId, clientSecret) = ClientCredentials(request, form);
        if (clientId != ClientId || clientSecret != ClientSecret)
        {
            return Error(401, "invalid_client", ("WWW-Authenticate", "Basic realm=\"oauth\""));
        }

        string? newRefresh = null;
        switch (form.GetValueOrDefault("grant_type"))
        {
            case "client_credentials":
                break;
            case "refresh_token":
                var presented = form.GetValueOrDefault("refresh_token") ?? string.Empty;
                if (!_refreshTokens.ContainsKey(presented))
                {
                    return Error(400, "invalid_grant");
                }

                if (RotateRefreshTokens)
                {
                    _refreshTokens.TryRemove(presented, out _);
                    newRefresh = AddRefreshToken();
                }

                break;
            default:
                return Error(400, "unsupported_grant_type");
        }

        var access = "at-" + RandomNumberGenerator.GetHexString(32);
        _issued.Add(access);
        var body = new JsonObject
        {
            ["access_token"] = access,
            ["token_type"] = "Bearer",
            ["expires_in"] = ExpiresInSeconds,
        };
        if (newRefresh is not null)
        {
            body["refresh_token"] = newRefresh;
        }

        if (form.TryGetValue("scope", out var scope))
        {
            body["scope"] = scope;
        }

        return Text(200, body.ToJsonString(), "application/json", ("Cache-Control", "no-store"));
    }

    private static (string? Id, string? Secret) ClientCredentials(IRequestMessage request, Dictionary<string, string> form)
    {
        var header = Header(request, "Authorization") ?? string.Empty;
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? (null, null) : (Uri.UnescapeDataString(pair[..colon]), Uri.UnescapeDataString(pair[(colon + 1)..]));
        }

        return (form.GetValueOrDefault("client_id"), form.GetValueOrDefault("client_secret"));
    }

    private static ResponseMessage Error(int status, string error, params (string Name, string Value)[] headers) =>
        Text(status, new JsonObject { ["error"] = error, ["error_description"] = "refused by the double" }.ToJsonString(), "application/json", headers);
}
