using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IntegrationHub.TestDoubles.Vault;

// Why hand-written (Kestrel, DoubleServer) and not WireMock.Net like the other HTTP doubles: KV v2's check-and-set is
// an atomic compare-and-write on a per-key version counter (VaultSecretStoreTests: a rotation from a stale version
// loses and leaves the winner in place), and every answer depends on live state besides it —
// token TTLs on the test's clock, seal, namespaces, soft-deleted and destroyed versions. WireMock's stateful tool,
// scenarios, holds one named state per scenario that a matched mapping moves along; it cannot compare a request value
// with a stored one nor count versions. Expressing this in WireMock would mean one catch-all callback holding this
// very code, i.e. the same double behind a second server. Issue 14 keeps it hand-written for that reason.

/// <summary>
/// A HashiCorp Vault double speaking the documented HTTP API (<c>/v1/...</c>, JSON, <c>X-Vault-Token</c>,
/// <c>X-Vault-Namespace</c>, errors as <c>{"errors":[...]}</c>):
/// <list type="bullet">
/// <item>KV version 2 at <see cref="KvMount"/>: <c>data/</c> read (<c>?version=</c>) and write with
/// <c>options.cas</c> (a mismatch answers 400 <c>check-and-set parameter did not match the current version</c>,
/// as Vault does), <c>metadata/</c> read and delete, <c>DELETE data/</c> soft delete of the latest version,
/// <c>delete/</c>, <c>undelete/</c> and <c>destroy/</c> of listed versions. A deleted or destroyed version
/// reads as 404 with its metadata in the body; a missing key as 404 <c>{"errors":[]}</c>.</item>
/// <item>Tokens with a TTL and a renewable flag on the double's clock (pass the test's
/// <see cref="TimeProvider"/>), <c>auth/token/lookup-self</c>, <c>auth/token/renew-self</c>; an unknown or
/// expired token answers 403 <c>permission denied</c>.</item>
/// <item>Logins: AppRole (<c>role_id</c>, <c>secret_id</c>; wrong ones answer 400 <c>invalid role or secret ID</c>),
/// Kubernetes and Azure (<c>role</c> + a configured <c>jwt</c>; a wrong JWT answers 403).</item>
/// <item>Sealed: every endpoint answers 503 <c>Vault is sealed</c>, <c>sys/health</c> 503 with <c>"sealed": true</c>.</item>
/// <item>Namespaces: when <see cref="Namespace"/> is set, a request (other than <c>sys/health</c>) without that
/// <c>X-Vault-Namespace</c> finds none of its roles, tokens or secrets and answers 403 <c>permission denied</c>
/// (a simplification: the double serves one namespace).</item>
/// </list>
/// </summary>
public sealed class VaultDouble : DoubleServer
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TokenState> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeyState> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string SecretId, TimeSpan Ttl, bool Renewable)> _appRoles = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Mount, string Role), (string Jwt, TimeSpan Ttl)> _jwtRoles = [];
    private readonly List<string> _deniedPrefixes = [];
    private readonly List<(string Path, string Body)> _logins = [];
    private int _renewals;

    /// <summary>Creates the double on <paramref name="time"/> (the system clock when null).</summary>
    public VaultDouble(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        RootToken = CreateToken(TimeSpan.Zero, renewable: false);
    }

    /// <summary>Where the KV v2 engine is mounted.</summary>
    public string KvMount { get; set; } = "secret";

    /// <summary>The namespace every request must name in <c>X-Vault-Namespace</c>, or null for none.</summary>
    public string? Namespace { get; set; }

    /// <summary>A token that never expires (TTL 0), like a root token.</summary>
    public string RootToken { get; }

    /// <summary>Whether the double is sealed.</summary>
    public bool IsSealed { get; private set; }

    /// <summary>How many <c>renew-self</c> calls succeeded.</summary>
    public int RenewCount => Volatile.Read(ref _renewals);

    /// <summary>Every token the double issued (to prove none of them reaches a log line).</summary>
    public IReadOnlyList<string> IssuedTokens
    {
        get
        {
            lock (_gate)
            {
                return [.. _tokens.Keys];
            }
        }
    }

    /// <summary>Every login request: the path and the raw JSON body (to assert request shapes).</summary>
    public IReadOnlyList<(string Path, string Body)> Logins
    {
        get
        {
            lock (_gate)
            {
                return [.. _logins];
            }
        }
    }

    /// <summary>Seals: everything answers 503.</summary>
    public void Seal() => IsSealed = true;

    /// <summary>Unseals.</summary>
    public void Unseal() => IsSealed = false;

    /// <summary>Issues a token with <paramref name="ttl"/> (zero: never expires).</summary>
    public string CreateToken(TimeSpan ttl, bool renewable = true)
    {
        var token = "hvs." + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 24);
        lock (_gate)
        {
            _tokens[token] = new TokenState(ttl, renewable, _time.GetUtcNow());
        }

        return token;
    }

    /// <summary>Every token issued so far expires now (a long outage, a revocation).</summary>
    public void ExpireAllTokens()
    {
        lock (_gate)
        {
            foreach (var token in _tokens.Values)
            {
                token.Revoked = true;
            }
        }
    }

    /// <summary>Configures an AppRole (mounted at <c>auth/approle</c>).</summary>
    public void AddAppRole(string roleId, string secretId, TimeSpan ttl, bool renewable = true)
    {
        lock (_gate)
        {
            _appRoles[roleId] = (secretId, ttl, renewable);
        }
    }

    /// <summary>Configures a role of a JWT-based method (<c>kubernetes</c>, <c>azure</c>) that accepts exactly <paramref name="jwt"/>.</summary>
    public void AddJwtRole(string mount, string role, string jwt, TimeSpan ttl)
    {
        lock (_gate)
        {
            _jwtRoles[(mount, role)] = (jwt, ttl);
        }
    }

    /// <summary>KV paths under <paramref name="prefix"/> answer 403 (a policy that does not grant them).</summary>
    public void Deny(string prefix)
    {
        lock (_gate)
        {
            _deniedPrefixes.Add(prefix);
        }
    }

    /// <summary>The current version number of a KV key, or null when it does not exist.</summary>
    public long? CurrentVersion(string path)
    {
        lock (_gate)
        {
            return _keys.TryGetValue(path, out var key) ? key.Current : null;
        }
    }

    /// <summary>Whether a version's data was destroyed.</summary>
    public bool IsDestroyed(string path, long version)
    {
        lock (_gate)
        {
            return _keys.TryGetValue(path, out var key) && key.Versions.TryGetValue(version, out var v) && v.Destroyed;
        }
    }

    /// <inheritdoc />
    protected override void Map(WebApplication app) => app.Map("/v1/{**path}", HandleAsync);

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!["/v1/".Length..];
        var method = context.Request.Method;
        JsonNode? body = null;
        if (method is "POST" or "PUT")
        {
            using var reader = new StreamReader(context.Request.Body);
            var text = await reader.ReadToEndAsync();
            if (text.Length > 0)
            {
                try
                {
                    body = JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    await Errors(context, 400, "failed to parse JSON input");
                    return;
                }
            }

            if (path.StartsWith("auth/", StringComparison.Ordinal) && path.EndsWith("/login", StringComparison.Ordinal))
            {
                lock (_gate)
                {
                    _logins.Add((path, text));
                }
            }
        }

        if (path == "sys/health")
        {
            await Health(context);
            return;
        }

        if (IsSealed)
        {
            await Errors(context, 503, "Vault is sealed");
            return;
        }

        if (Namespace is not null && !string.Equals(context.Request.Headers["X-Vault-Namespace"].ToString().Trim('/'), Namespace, StringComparison.Ordinal))
        {
            await Errors(context, 403, "permission denied");
            return;
        }

        if (path.EndsWith("/login", StringComparison.Ordinal) && method == "POST")
        {
            await Login(context, path["auth/".Length..^"/login".Length], body);
            return;
        }

        var token = context.Request.Headers["X-Vault-Token"].ToString();
        TokenState? state;
        lock (_gate)
        {
            state = _tokens.TryGetValue(token, out var t) && t.IsValid(_time.GetUtcNow()) ? t : null;
        }

        if (state is null)
        {
            await Errors(context, 403, "permission denied");
            return;
        }

        switch (path, method)
        {
            case ("auth/token/lookup-self", "GET"):
                await LookupSelf(context, token, state);
                return;
            case ("auth/token/renew-self", "POST" or "PUT"):
                await RenewSelf(context, token, state);
                return;
        }

        if (path.StartsWith(KvMount + "/", StringComparison.Ordinal))
        {
            var rest = path[(KvMount.Length + 1)..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0)
            {
                var operation = rest[..slash];
                var key = Uri.UnescapeDataString(rest[(slash + 1)..]);
                bool denied;
                lock (_gate)
                {
                    denied = _deniedPrefixes.Exists(p => key.StartsWith(p, StringComparison.Ordinal));
                }

                if (denied)
                {
                    await Errors(context, 403, "permission denied");
                    return;
                }

                await Kv(context, operation, key, method, body);
                return;
            }
        }

        await Errors(context, 404, $"no handler for route \"{path}\". route entry not found.");
    }

    private async Task Login(HttpContext context, string mount, JsonNode? body)
    {
        TimeSpan ttl;
        var renewable = true;
        lock (_gate)
        {
            if (mount == "approle")
            {
                var roleId = (string?)body?["role_id"];
                var secretId = (string?)body?["secret_id"];
                if (roleId is null || !_appRoles.TryGetValue(roleId, out var role) || role.SecretId != secretId)
                {
                    ttl = TimeSpan.MinValue;
                }
                else
                {
                    (ttl, renewable) = (role.Ttl, role.Renewable);
                }
            }
            else
            {
                var roleName = (string?)body?["role"] ?? string.Empty;
                var jwt = (string?)body?["jwt"];
                if (!_jwtRoles.TryGetValue((mount, roleName), out var role))
                {
                    ttl = TimeSpan.MaxValue;
                }
                else
                {
                    ttl = role.Jwt == jwt ? role.Ttl : TimeSpan.MinValue;
                }
            }
        }

        if (ttl == TimeSpan.MinValue)
        {
            await (mount == "approle" ? Errors(context, 400, "invalid role or secret ID") : Errors(context, 403, "permission denied"));
            return;
        }

        if (ttl == TimeSpan.MaxValue)
        {
            await Errors(context, 400, "invalid role name");
            return;
        }

        var token = CreateToken(ttl, renewable);
        await Json(context, 200, Envelope(auth: AuthBlock(token, ttl, renewable)));
    }

    private async Task LookupSelf(HttpContext context, string token, TokenState state)
    {
        var now = _time.GetUtcNow();
        var data = new JsonObject
        {
            ["accessor"] = "accessor-" + token[^6..],
            ["creation_time"] = state.IssuedAt.ToUnixTimeSeconds(),
            ["creation_ttl"] = (long)state.Ttl.TotalSeconds,
            ["display_name"] = "token",
            ["expire_time"] = state.Ttl == TimeSpan.Zero ? null : Time(state.ExpiresAt),
            ["explicit_max_ttl"] = 0,
            ["id"] = token,
            ["issue_time"] = Time(state.IssuedAt),
            ["num_uses"] = 0,
            ["orphan"] = true,
            ["path"] = "auth/token/create",
            ["policies"] = new JsonArray("default", "integrationhub"),
            ["renewable"] = state.Renewable,
            ["ttl"] = state.Ttl == TimeSpan.Zero ? 0 : (long)Math.Max(0, (state.ExpiresAt - now).TotalSeconds),
            ["type"] = "service",
        };
        await Json(context, 200, Envelope(data: data));
    }

    private async Task RenewSelf(HttpContext context, string token, TokenState state)
    {
        if (!state.Renewable)
        {
            await Errors(context, 400, "lease is not renewable");
            return;
        }

        lock (_gate)
        {
            state.IssuedAt = _time.GetUtcNow();
        }

        Interlocked.Increment(ref _renewals);
        await Json(context, 200, Envelope(auth: AuthBlock(token, state.Ttl, renewable: true)));
    }

    private async Task Kv(HttpContext context, string operation, string key, string method, JsonNode? body)
    {
        var now = _time.GetUtcNow();
        switch (operation, method)
        {
            case ("data", "GET"):
            {
                JsonObject? found = null;
                var status = 404;
                lock (_gate)
                {
                    if (_keys.TryGetValue(key, out var entry))
                    {
                        var requested = context.Request.Query["version"].ToString();
                        var number = requested.Length > 0 && long.TryParse(requested, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : entry.Current;
                        if (entry.Versions.TryGetValue(number, out var version))
                        {
                            var live = version.Data is not null && version.DeletionTime is null;
                            status = live ? 200 : 404;
                            found = new JsonObject
                            {
                                ["data"] = live ? version.Data!.DeepClone() : null,
                                ["metadata"] = VersionMetadata(number, version),
                            };
                        }
                    }
                }

                if (found is null)
                {
                    await Json(context, 404, new JsonObject { ["errors"] = new JsonArray() });
                }
                else
                {
                    await Json(context, status, Envelope(data: found));
                }

                return;
            }

            case ("data", "POST" or "PUT"):
            {
                if (body?["data"] is not JsonObject data)
                {
                    await Errors(context, 400, "no data provided");
                    return;
                }

                var cas = body["options"]?["cas"];
                JsonObject written;
                lock (_gate)
                {
                    _keys.TryGetValue(key, out var entry);
                    if (cas is not null && (long)cas != (entry?.Current ?? 0))
                    {
                        written = null!;
                    }
                    else
                    {
                        entry ??= _keys[key] = new KeyState(now);
                        entry.Current++;
                        entry.Updated = now;
                        entry.Versions[entry.Current] = new VersionState((JsonObject)data.DeepClone(), now);
                        written = VersionMetadata(entry.Current, entry.Versions[entry.Current]);
                    }
                }

                if (written is null)
                {
                    await Errors(context, 400, "check-and-set parameter did not match the current version");
                    return;
                }

                await Json(context, 200, Envelope(data: written));
                return;
            }

            case ("data", "DELETE"):
                lock (_gate)
                {
                    if (_keys.TryGetValue(key, out var entry) && entry.Versions.TryGetValue(entry.Current, out var latest))
                    {
                        latest.DeletionTime ??= now;
                    }
                }

                context.Response.StatusCode = 204;
                return;

            case ("delete" or "undelete" or "destroy", "POST" or "PUT"):
            {
                if (body?["versions"] is not JsonArray versions || versions.Count == 0)
                {
                    await Errors(context, 400, "no version number provided");
                    return;
                }

                lock (_gate)
                {
                    if (_keys.TryGetValue(key, out var entry))
                    {
                        foreach (var number in versions.Select(v => (long)v!))
                        {
                            if (!entry.Versions.TryGetValue(number, out var version))
                            {
                                continue;
                            }

                            switch (operation)
                            {
                                case "delete":
                                    version.DeletionTime ??= now;
                                    break;
                                case "undelete" when !version.Destroyed:
                                    version.DeletionTime = null;
                                    break;
                                case "destroy":
                                    version.Destroyed = true;
                                    version.Data = null;
                                    break;
                            }
                        }
                    }
                }

                context.Response.StatusCode = 204;
                return;
            }

            case ("metadata", "GET"):
            {
                JsonObject? metadata = null;
                lock (_gate)
                {
                    if (_keys.TryGetValue(key, out var entry))
                    {
                        var versions = new JsonObject();
                        foreach (var (number, version) in entry.Versions)
                        {
                            versions[number.ToString(CultureInfo.InvariantCulture)] = new JsonObject
                            {
                                ["created_time"] = Time(version.Created),
                                ["deletion_time"] = version.DeletionTime is null ? string.Empty : Time(version.DeletionTime.Value),
                                ["destroyed"] = version.Destroyed,
                            };
                        }

                        metadata = new JsonObject
                        {
                            ["cas_required"] = false,
                            ["created_time"] = Time(entry.Created),
                            ["current_version"] = entry.Current,
                            ["custom_metadata"] = null,
                            ["delete_version_after"] = "0s",
                            ["max_versions"] = 0,
                            ["oldest_version"] = entry.Versions.Count == 0 ? 0 : entry.Versions.Keys.Min(),
                            ["updated_time"] = Time(entry.Updated),
                            ["versions"] = versions,
                        };
                    }
                }

                if (metadata is null)
                {
                    await Json(context, 404, new JsonObject { ["errors"] = new JsonArray() });
                }
                else
                {
                    await Json(context, 200, Envelope(data: metadata));
                }

                return;
            }

            case ("metadata", "DELETE"):
                lock (_gate)
                {
                    _keys.Remove(key);
                }

                context.Response.StatusCode = 204;
                return;
        }

        await Errors(context, 405, "unsupported operation");
    }

    private async Task Health(HttpContext context)
    {
        var health = new JsonObject
        {
            ["initialized"] = true,
            ["sealed"] = IsSealed,
            ["standby"] = IsSealed,
            ["performance_standby"] = false,
            ["replication_performance_mode"] = "disabled",
            ["replication_dr_mode"] = "disabled",
            ["server_time_utc"] = _time.GetUtcNow().ToUnixTimeSeconds(),
            ["version"] = "1.17.0",
            ["cluster_name"] = "vault-cluster-double",
            ["cluster_id"] = "00000000-0000-0000-0000-000000000000",
        };
        await Json(context, IsSealed ? 503 : 200, health);
    }

    private static JsonObject VersionMetadata(long number, VersionState version) => new()
    {
        ["created_time"] = Time(version.Created),
        ["custom_metadata"] = null,
        ["deletion_time"] = version.DeletionTime is null ? string.Empty : Time(version.DeletionTime.Value),
        ["destroyed"] = version.Destroyed,
        ["version"] = number,
    };

    private static JsonObject AuthBlock(string token, TimeSpan ttl, bool renewable) => new()
    {
        ["client_token"] = token,
        ["accessor"] = "accessor-" + token[^6..],
        ["policies"] = new JsonArray("default", "integrationhub"),
        ["token_policies"] = new JsonArray("default", "integrationhub"),
        ["metadata"] = null,
        ["lease_duration"] = (long)ttl.TotalSeconds,
        ["renewable"] = renewable,
        ["entity_id"] = "entity-double",
        ["token_type"] = "service",
        ["orphan"] = true,
    };

    private static JsonObject Envelope(JsonNode? data = null, JsonNode? auth = null) => new()
    {
        ["request_id"] = Guid.NewGuid().ToString(),
        ["lease_id"] = string.Empty,
        ["renewable"] = false,
        ["lease_duration"] = 0,
        ["data"] = data,
        ["wrap_info"] = null,
        ["warnings"] = null,
        ["auth"] = auth,
    };

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static Task Errors(HttpContext context, int status, string error) =>
        Json(context, status, new JsonObject { ["errors"] = new JsonArray(error) });

    private static async Task Json(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private sealed class TokenState(TimeSpan ttl, bool renewable, DateTimeOffset issuedAt)
    {
        public TimeSpan Ttl { get; } = ttl;

        public bool Renewable { get; } = renewable;

        public DateTimeOffset IssuedAt { get; set; } = issuedAt;

        public bool Revoked { get; set; }

        public DateTimeOffset ExpiresAt => IssuedAt + Ttl;

        public bool IsValid(DateTimeOffset now) => !Revoked && (Ttl == TimeSpan.Zero || now < ExpiresAt);
    }

    private sealed class KeyState(DateTimeOffset created)
    {
        public DateTimeOffset Created { get; } = created;

        public DateTimeOffset Updated { get; set; } = created;

        public long Current { get; set; }

        public SortedDictionary<long, VersionState> Versions { get; } = [];
    }

    private sealed class VersionState(JsonObject data, DateTimeOffset created)
    {
        public JsonObject? Data { get; set; } = data;

        public DateTimeOffset Created { get; } = created;

        public DateTimeOffset? DeletionTime { get; set; }

        public bool Destroyed { get; set; }
    }
}
