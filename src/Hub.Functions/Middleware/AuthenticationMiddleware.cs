using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace IntegrationHub.Functions.Middleware;

/// <summary>
/// Identifies the caller of every HTTP function (<see cref="ApiKeyAuthenticator"/>) and enforces the
/// function's <see cref="RequiresAttribute"/>: 401 with <c>WWW-Authenticate: Bearer</c> when no valid
/// credential was presented (RFC 6750 §3), 403 when the caller is known but may not do this. The caller
/// becomes <c>HttpContext.User</c>.
/// </summary>
internal sealed class AuthenticationMiddleware(ApiKeyAuthenticator authenticator) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var access = HttpFunctionInfo.Of(context).Access;
        if (access == Access.Anonymous)
        {
            await next(context);
            return;
        }

        var http = context.Http();
        var outcome = await authenticator.AuthenticateAsync(http.Request, http.RequestAborted);
        if (outcome.Principal is not { } user)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"IntegrationHub\"";
            context.Answer(ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Authentication is required.", outcome.Failure ?? "Send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'."));
            return;
        }

        var isTenant = user.HasClaim(c => c.Type == Caller.TenantClaim);
        var isAdmin = user.IsInRole(Caller.AdminRole);
        var allowed = access switch
        {
            Access.Tenant => isTenant,
            Access.Admin => isAdmin,
            Access.TenantOrAdmin => isTenant || isAdmin,
            _ => true,
        };
        if (!allowed)
        {
            context.Answer(ApiProblems.Problem(StatusCodes.Status403Forbidden, "This key may not do that.", "Tenant resources need a tenant API key; tenants and keys need the admin key."));
            return;
        }

        http.User = user;
        await next(context);
    }
}
