using System.Security.Claims;
using System.Text.Json;
using IntegrationHub.Core.Credentials;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;

namespace IntegrationHub.Functions.Functions.CredentialCheck;

/// <summary>
/// The <c>CredentialCheck</c> function: tests a credential against its system with the connector's cheap
/// authenticated call, before an integration depends on it. A refused connection is a result
/// (<c>succeeded: false</c> with the system's reason), not an error.
/// </summary>
public static class CredentialCheckEndpoints
{
    /// <summary>What to check with; the body is optional.</summary>
    /// <param name="Configuration">A configuration for the connector's schema (e.g. which repository to read); absent: <c>{}</c>.</param>
    public sealed record CheckCredentialRequest(JsonElement? Configuration = null);

    /// <summary>The outcome, also recorded as the credential's <c>lastCheck</c>.</summary>
    public sealed record CheckCredentialResponse(bool Succeeded, string Message, DateTimeOffset CheckedAt);

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapCredentialCheck(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/credentials/{id}/check", CheckAsync)
            .WithTags("Credentials")
            .RequireAuthorization(Caller.TenantPolicy)
            .Idempotent()
            .Accepts<CheckCredentialRequest>("application/json")
            .Produces<CheckCredentialResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Check a credential: run the connector's connection check with its values and an optional sample configuration");
        return endpoints;
    }

    private static async Task<IResult> CheckAsync(string id, JsonBody<CheckCredentialRequest>? body, ClaimsPrincipal user, CredentialService credentials, CancellationToken cancellationToken)
    {
        if (body?.Problem is not null)
        {
            return body.Problem;
        }

        var check = await credentials.CheckAsync(user.TenantId(), id, body?.Value?.Configuration, cancellationToken);
        return TypedResults.Ok(new CheckCredentialResponse(check.Succeeded, check.Message, check.At));
    }
}
