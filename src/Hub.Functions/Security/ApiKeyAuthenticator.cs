using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IntegrationHub.Core.Tenants;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Security;

/// <summary>
/// Identifies the caller of an API request by one of: the operator's admin key, a tenant's API key (both as
/// <c>Authorization: Bearer ...</c> or <c>X-API-Key</c>), or, when deployed behind App Service
/// Authentication and configured to trust it, the <c>X-MS-CLIENT-PRINCIPAL</c> header
/// (base64 JSON <c>{"claims":[{"typ","val"}]}</c>, as App Service documents it).
/// </summary>
internal sealed class ApiKeyAuthenticator(IOptions<AuthOptions> auth, TenantStore tenants, IMemoryCache cache, TimeProvider time)
{
    /// <summary>The outcome: a principal, nobody (no credential presented), or a refusal with its reason.</summary>
    internal readonly record struct Outcome(ClaimsPrincipal? Principal, string? Failure)
    {
        public static Outcome None => default;
    }

    /// <summary>Authenticates <paramref name="request"/>; never throws for a bad credential (only for a store outage).</summary>
    public async Task<Outcome> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var key = PresentedKey(request);
        if (key is not null)
        {
            return await AuthenticateKeyAsync(key, cancellationToken);
        }

        if (auth.Value.TrustAppServiceAuthentication && request.Headers.TryGetValue("X-MS-CLIENT-PRINCIPAL", out var principal))
        {
            return AuthenticatePrincipal(principal.ToString());
        }

        return Outcome.None;
    }

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-API-Key", out var header) && header.ToString() is { Length: > 0 } apiKey)
        {
            return apiKey;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }

    private async Task<Outcome> AuthenticateKeyAsync(string key, CancellationToken cancellationToken)
    {
        if (FixedTimeEquals(key, auth.Value.AdminKey))
        {
            return Success([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, Caller.AdminRole)]);
        }

        if (!ApiKeyFormat.TryParse(key, out var tenantId, out var keyId))
        {
            return new Outcome(null, "The API key is not valid.");
        }

        var hash = ApiKeyFormat.HashOf(key);
        if (!cache.TryGetValue(hash, out bool valid))
        {
            var stored = await tenants.GetKeyAsync(tenantId, keyId, cancellationToken);
            var tenant = stored is null ? null : await tenants.GetAsync(tenantId, cancellationToken);
            valid = stored is { RevokedAt: null } && tenant is { Disabled: false } && ApiKeyFormat.Matches(key, stored.Hash);
            cache.Set(hash, valid, time.GetUtcNow().Add(auth.Value.KeyCache));
        }

        return valid
            ? Success([new Claim(ClaimTypes.Name, $"key:{keyId}"), new Claim(Caller.TenantClaim, tenantId)])
            : new Outcome(null, "The API key is not valid.");
    }

    private Outcome AuthenticatePrincipal(string encoded)
    {
        try
        {
            using var document = JsonDocument.Parse(Convert.FromBase64String(encoded));
            var claims = document.RootElement.GetProperty("claims").EnumerateArray()
                .Select(c => (Type: c.GetProperty("typ").GetString(), Value: c.GetProperty("val").GetString()))
                .ToList();
            var tenant = claims.FirstOrDefault(c => c.Type == auth.Value.PrincipalTenantClaim).Value;
            if (string.IsNullOrEmpty(tenant))
            {
                return new Outcome(null, $"The App Service principal has no '{auth.Value.PrincipalTenantClaim}' claim.");
            }

            var name = claims.FirstOrDefault(c => c.Type is "name" or ClaimTypes.Name).Value ?? "app-service-principal";
            return Success([new Claim(ClaimTypes.Name, name), new Claim(Caller.TenantClaim, tenant)]);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new Outcome(null, "The X-MS-CLIENT-PRINCIPAL header is malformed.");
        }
    }

    private static Outcome Success(IEnumerable<Claim> claims) =>
        new(new ClaimsPrincipal(new ClaimsIdentity(claims, Caller.Scheme)), null);

    private static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}
