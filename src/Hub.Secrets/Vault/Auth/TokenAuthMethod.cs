using System.Text.Json;

namespace IntegrationHub.Secrets.Vault.Auth;

/// <summary>
/// A token given in configuration (<c>Vault__Token</c>). There is nothing to log in with: "login" looks
/// the token up (<c>GET auth/token/lookup-self</c>) to learn its TTL and whether it can be renewed.
/// </summary>
internal sealed class TokenAuthMethod(VaultTransport transport) : IVaultAuthMethod
{
    public string Name => "token";

    public async Task<VaultAuthResult> LoginAsync(CancellationToken cancellationToken)
    {
        var token = transport.Options.Token ?? string.Empty;
        const string operation = "token lookup (auth/token/lookup-self)";
        using var response = await transport.SendAsync(HttpMethod.Get, "auth/token/lookup-self", body: null, token, operation, cancellationToken);
        if (response.Status == 403)
        {
            throw new VaultLoginException($"Vault at {transport.Host} refused the configured token (Vault__Token) (403): it expired or was revoked; configure a new one or use approle, azure or kubernetes auth.")
            {
                StatusCode = 403,
            };
        }

        if (!response.IsSuccess)
        {
            throw transport.Failure(response, operation);
        }

        var data = response.Root.TryGetProperty("data", out var d) ? d : default;
        var ttl = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("ttl", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : 0;
        var renewable = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("renewable", out var r) && r.ValueKind == JsonValueKind.True;
        return new VaultAuthResult(token, TimeSpan.FromSeconds(ttl), renewable);
    }
}
