using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using IntegrationHub.Core.Tenants;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Security;

/// <summary>
/// Authenticates every API request by one of: the operator's admin key, a tenant's API key (both as
/// <c>Authorization: Bearer ...</c> or <c>X-API-Key</c>), or, when deployed behind App Service
/// Authentication and configured to trust it, the <c>X-MS-CLIENT-PRINCIPAL</c> header.
/// </summary>
internal sealed class HubAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth,
    TenantStore tenants,
    IMemoryCache cache,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey();
        if (key is not null)
        {
            return await AuthenticateKeyAsync(key);
        }

        if (auth.Value.TrustAppServiceAuthentication && Request.Headers.TryGetValue("X-MS-CLIENT-PRINCIPAL", out var principal))
        {
            return AuthenticatePrincipal(principal.ToString());
        }

        return AuthenticateResult.NoResult();
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"IntegrationHub\"";
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Authentication is required.", "Send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "This key may not do that.", "Tenant resources need a tenant API key; tenants and keys need the admin key.");

    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue("X-API-Key", out var header) && header.ToString() is { Length: > 0 } apiKey)
        {
            return apiKey;
        }

        var authorization = Request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }

    private async Task<AuthenticateResult> AuthenticateKeyAsync(string key)
    {
        if (FixedTimeEquals(key, auth.Value.AdminKey))
        {
            return Success([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, Caller.AdminRole)]);
        }

        if (!ApiKeyFormat.TryParse(key, out var tenantId, out var keyId))
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        var hash = ApiKeyFormat.HashOf(key);
        if (!cache.TryGetValue(hash, out bool valid))
        {
            var stored = await tenants.GetKeyAsync(tenantId, keyId, Context.RequestAborted);
            var tenant = stored is null ? null : await tenants.GetAsync(tenantId, Context.RequestAborted);
            valid = stored is { RevokedAt: null } && tenant is { Disabled: false } && ApiKeyFormat.Matches(key, stored.Hash);
            cache.Set(hash, valid, time.GetUtcNow().AddSeconds(auth.Value.KeyCacheSeconds));
        }

        return valid
            ? Success([new Claim(ClaimTypes.Name, $"key:{keyId}"), new Claim(Caller.TenantClaim, tenantId)])
            : AuthenticateResult.Fail("The API key is not valid.");
    }

    private AuthenticateResult AuthenticatePrincipal(string encoded)
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
                return AuthenticateResult.Fail($"The App Service principal has no '{auth.Value.PrincipalTenantClaim}' claim.");
            }

            var name = claims.FirstOrDefault(c => c.Type is "name" or ClaimTypes.Name).Value ?? "app-service-principal";
            return Success([new Claim(ClaimTypes.Name, name), new Claim(Caller.TenantClaim, tenant)]);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return AuthenticateResult.Fail("The X-MS-CLIENT-PRINCIPAL header is malformed.");
        }
    }

    private static AuthenticateResult Success(IEnumerable<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Caller.Scheme)), Caller.Scheme));

    private static bool FixedTimeEquals(string presented, string expected) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        var problems = Context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = { Status = status, Title = title, Detail = detail } });
    }
}
