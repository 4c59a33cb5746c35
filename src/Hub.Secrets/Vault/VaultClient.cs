using System.Text.Json;
using IntegrationHub.Secrets.Vault.Auth;

namespace IntegrationHub.Secrets.Vault;

/// <summary>
/// The hub's typed client of Vault's HTTP API, KV version 2 engine (VaultSharp does not restore here).
/// Paths are relative to <see cref="VaultOptions.KvMount"/>; the client adds <c>data/</c>,
/// <c>metadata/</c> or <c>destroy/</c> as the API wants.
/// </summary>
/// <remarks>
/// Every call carries a token from <see cref="VaultTokenManager"/>. When Vault answers 403 the token may
/// have been revoked or expired early, so the client logs in once more and retries once; a second 403
/// is a real policy denial (<see cref="VaultPermissionDeniedException"/>).
/// Check-and-set failures are what Vault really sends — <c>400</c> with
/// <c>check-and-set parameter did not match the current version</c> (Vault has no 412 for CAS; its 412
/// means a performance standby lacks the required index) — and become
/// <see cref="SecretVersionConflictException"/> (<see cref="SecretAlreadyExistsException"/> for a create).
/// </remarks>
public sealed class VaultClient
{
    private readonly VaultTransport _transport;
    private readonly VaultTokenManager _tokens;

    internal VaultClient(VaultTransport transport, VaultTokenManager tokens)
    {
        _transport = transport;
        _tokens = tokens;
    }

    /// <summary>Vault's host and port, for messages.</summary>
    public string Host => _transport.Host;

    private string Mount => _transport.Options.KvMount.Trim('/');

    /// <summary>Reads the latest (or the given) version; null when there is none, or it was deleted or destroyed (Vault answers 404).</summary>
    public async Task<KvSecret?> ReadSecretAsync(string path, long? version, CancellationToken cancellationToken)
    {
        var query = version is null ? string.Empty : FormattableString.Invariant($"?version={version}");
        var operation = $"read of {Mount}/data/{path}";
        using var response = await SendAsync(HttpMethod.Get, $"{Mount}/data/{Escape(path)}{query}", null, operation, cancellationToken);
        if (IsMissing(response))
        {
            return null;
        }

        EnsureSuccess(response, operation);
        var data = response.Root.GetProperty("data");
        if (!data.TryGetProperty("data", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var metadata = data.TryGetProperty("metadata", out var m) ? KvVersion.Read(m, 0) : new KvVersion(0, null, null, false);
        return new KvSecret(SecretValues.ReadObject(values), metadata);
    }

    /// <summary>
    /// Writes a new version. <paramref name="cas"/>: null writes unconditionally, 0 only when the key does
    /// not exist, n only when the current version is n.
    /// </summary>
    /// <returns>The version written.</returns>
    public async Task<KvVersion> WriteSecretAsync(string path, SecretValues data, long? cas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var operation = $"write of {Mount}/data/{path}";
        using var response = await SendAsync(
            HttpMethod.Post,
            $"{Mount}/data/{Escape(path)}",
            w =>
            {
                w.WriteStartObject();
                if (cas is not null)
                {
                    w.WriteStartObject("options");
                    w.WriteNumber("cas", cas.Value);
                    w.WriteEndObject();
                }

                w.WritePropertyName("data");
                data.WriteRevealed(w);
                w.WriteEndObject();
            },
            operation,
            cancellationToken);
        if (response.Status == 400 && response.Errors().Contains("check-and-set", StringComparison.OrdinalIgnoreCase))
        {
            var message = cas == 0
                ? $"Vault at {Host} refused the {operation}: a secret already exists there (check-and-set 0 failed, 400)."
                : $"Vault at {Host} refused the {operation}: version {cas} is no longer the current one (check-and-set failed, 400).";
            throw cas == 0
                ? new SecretAlreadyExistsException(message) { StatusCode = 400 }
                : new SecretVersionConflictException(message) { StatusCode = 400 };
        }

        EnsureSuccess(response, operation);
        return KvVersion.Read(response.Root.GetProperty("data"), 0);
    }

    /// <summary>Reads the metadata and version list; null when the key does not exist.</summary>
    public async Task<KvMetadata?> ReadMetadataAsync(string path, CancellationToken cancellationToken)
    {
        var operation = $"metadata read of {Mount}/metadata/{path}";
        using var response = await SendAsync(HttpMethod.Get, $"{Mount}/metadata/{Escape(path)}", null, operation, cancellationToken);
        if (IsMissing(response))
        {
            return null;
        }

        EnsureSuccess(response, operation);
        return KvMetadata.Read(response.Root.GetProperty("data"));
    }

    /// <summary>Soft-deletes the latest version (<c>DELETE data/</c>): reads stop returning it, but it can be undeleted.</summary>
    public async Task DeleteLatestVersionAsync(string path, CancellationToken cancellationToken)
    {
        var operation = $"delete of {Mount}/data/{path}";
        using var response = await SendAsync(HttpMethod.Delete, $"{Mount}/data/{Escape(path)}", null, operation, cancellationToken);
        if (response.Status != 404)
        {
            EnsureSuccess(response, operation);
        }
    }

    /// <summary>Destroys the data of the given versions for good (<c>POST destroy/</c>); the metadata stays.</summary>
    public async Task DestroyVersionsAsync(string path, IReadOnlyCollection<long> versions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(versions);
        var operation = $"destroy of {Mount}/destroy/{path}";
        using var response = await SendAsync(
            HttpMethod.Post,
            $"{Mount}/destroy/{Escape(path)}",
            w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("versions");
                foreach (var version in versions)
                {
                    w.WriteNumberValue(version);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            },
            operation,
            cancellationToken);
        EnsureSuccess(response, operation);
    }

    /// <summary>Deletes the key's metadata and every version permanently (<c>DELETE metadata/</c>).</summary>
    public async Task DeleteMetadataAsync(string path, CancellationToken cancellationToken)
    {
        var operation = $"metadata delete of {Mount}/metadata/{path}";
        using var response = await SendAsync(HttpMethod.Delete, $"{Mount}/metadata/{Escape(path)}", null, operation, cancellationToken);
        if (response.Status != 404)
        {
            EnsureSuccess(response, operation);
        }
    }

    /// <summary><c>GET /v1/sys/health</c> (no token needed). Every documented status is an answer, not an exception.</summary>
    public async Task<VaultHealth> ReadHealthAsync(CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(HttpMethod.Get, "sys/health", null, token: null, "health check", cancellationToken);
        var root = response.Root;
        bool Flag(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        var version = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("version", out var ver) && ver.ValueKind == JsonValueKind.String ? ver.GetString() : null;
        return new VaultHealth(response.Status, Flag("initialized"), Flag("sealed") || response.Status == 503, Flag("standby"), version);
    }

    private async Task<VaultResponse> SendAsync(HttpMethod method, string path, Action<Utf8JsonWriter>? body, string operation, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(cancellationToken);
        var response = await _transport.SendAsync(method, path, body, token, operation, cancellationToken);
        if (response.Status != 403)
        {
            return response;
        }

        response.Dispose();
        token = await _tokens.ReplaceAsync(token, cancellationToken);
        return await _transport.SendAsync(method, path, body, token, operation, cancellationToken);
    }

    // Vault answers a missing or deleted secret with 404 and an empty "errors" (or the deleted version's
    // metadata); a 404 with an error text ("no handler for route") means the mount is wrong, which must not read as "no secret".
    private static bool IsMissing(VaultResponse response) => response.Status == 404 && response.Errors().Length == 0;

    private void EnsureSuccess(VaultResponse response, string operation)
    {
        if (!response.IsSuccess)
        {
            throw _transport.Failure(response, operation);
        }
    }

    // Each segment escaped; the '/' between them kept.
    private static string Escape(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
