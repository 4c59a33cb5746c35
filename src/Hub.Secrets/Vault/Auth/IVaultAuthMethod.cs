using System.Text.Json;

namespace IntegrationHub.Secrets.Vault.Auth;

/// <summary>One way of obtaining a Vault token: a static token, AppRole, Azure managed identity or a Kubernetes service account.</summary>
internal interface IVaultAuthMethod
{
    /// <summary>The method's name in logs: <c>token</c>, <c>approle</c>, <c>azure</c>, <c>kubernetes</c>.</summary>
    string Name { get; }

    /// <summary>Obtains a token: a login for the login methods, a lookup of the configured token for <c>token</c>.</summary>
    Task<VaultAuthResult> LoginAsync(CancellationToken cancellationToken);
}

/// <summary>A token and its lease. <see cref="ToString"/> leaves the token out.</summary>
/// <param name="ClientToken">The token (<c>X-Vault-Token</c>).</param>
/// <param name="LeaseDuration">Its TTL; zero for a token that never expires (a root token).</param>
/// <param name="Renewable">Whether <c>renew-self</c> can extend it.</param>
internal sealed record VaultAuthResult(string ClientToken, TimeSpan LeaseDuration, bool Renewable)
{
    public override string ToString() => $"VaultAuthResult {{ LeaseDuration = {LeaseDuration}, Renewable = {Renewable} }}";

    /// <summary>Reads the <c>auth</c> block of a login or renew answer.</summary>
    public static VaultAuthResult FromAuthBlock(JsonElement root, string host, string operation)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("auth", out var auth)
            || auth.ValueKind != JsonValueKind.Object
            || !auth.TryGetProperty("client_token", out var token)
            || token.ValueKind != JsonValueKind.String)
        {
            throw new VaultLoginException($"Vault at {host} answered {operation} without an auth block.");
        }

        var ttl = auth.TryGetProperty("lease_duration", out var lease) && lease.ValueKind == JsonValueKind.Number ? lease.GetInt64() : 0;
        var renewable = auth.TryGetProperty("renewable", out var r) && r.ValueKind == JsonValueKind.True;
        return new VaultAuthResult(token.GetString()!, TimeSpan.FromSeconds(ttl), renewable);
    }
}

/// <summary>The login methods that post credentials to <c>auth/{mount}/login</c>.</summary>
internal abstract class VaultLoginMethod(VaultTransport transport) : IVaultAuthMethod
{
    public abstract string Name { get; }

    protected VaultTransport Transport { get; } = transport;

    public async Task<VaultAuthResult> LoginAsync(CancellationToken cancellationToken)
    {
        var writeBody = await LoginBodyAsync(cancellationToken);
        var path = $"auth/{Transport.Options.EffectiveAuthMount}/login";
        var operation = $"{Name} login at {path}";
        using var response = await Transport.SendAsync(HttpMethod.Post, path, writeBody, token: null, operation, cancellationToken);
        if (!response.IsSuccess)
        {
            if (response.Status == 503)
            {
                throw Transport.Failure(response, operation);
            }

            var errors = response.Errors();
            throw new VaultLoginException($"Vault at {Transport.Host} refused the {operation} ({response.Status}){(errors.Length > 0 ? ": " + errors : string.Empty)}")
            {
                StatusCode = response.Status,
            };
        }

        return VaultAuthResult.FromAuthBlock(response.Root, Transport.Host, operation);
    }

    /// <summary>The login request's body (it carries the credentials, so it is only ever written to the request).</summary>
    protected abstract ValueTask<Action<Utf8JsonWriter>> LoginBodyAsync(CancellationToken cancellationToken);
}
