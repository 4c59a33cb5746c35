using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json;
using IntegrationHub.Core.Credentials;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;

namespace IntegrationHub.Functions.Functions.Credentials;

/// <summary>
/// The <c>Credentials</c> function: a tenant creates, lists, reads, rotates and deletes its credentials.
/// Values go in and never come back out: every answer shows masked hints only.
/// </summary>
public static class CredentialsEndpoints
{
    /// <summary>A new credential.</summary>
    /// <param name="ConnectorId">The connector whose <c>credentialSchema</c> (GET /api/v1/integrations/available) the values follow.</param>
    /// <param name="Name">A human name.</param>
    /// <param name="Values">The secret values, e.g. <c>{"token": "ghp_..."}</c>.</param>
    public sealed record CreateCredentialRequest(
        [property: Required, StringLength(100, MinimumLength = 1)] string ConnectorId,
        [property: Required, StringLength(200, MinimumLength = 1)] string Name,
        JsonElement Values);

    /// <summary>New values for a credential (a rotation), and optionally a new name.</summary>
    public sealed record RotateCredentialRequest(
        JsonElement Values,
        [property: StringLength(200, MinimumLength = 1)] string? Name = null);

    /// <summary>
    /// A credential as the API shows it: masked hints of its values, never the values. <c>masked</c> holds each
    /// value's hint (the first 3 and last 4 characters of a long value, <c>****</c> otherwise); <c>status</c> is
    /// <c>active</c>, or <c>needs_reauth</c> when an OAuth refresh was refused (rotate it).
    /// </summary>
    public sealed record CredentialView(
        string Id,
        string ConnectorId,
        string Name,
        string Kind,
        CredentialStatus Status,
        IReadOnlyDictionary<string, string> Masked,
        DateTimeOffset CreatedAt,
        DateTimeOffset? RotatedAt,
        Core.Credentials.CredentialCheck? LastCheck);

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapCredentials(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/credentials").WithTags("Credentials").RequireAuthorization(Caller.TenantPolicy);
        group.MapPost("/", CreateAsync).Idempotent()
            .Accepts<CreateCredentialRequest>("application/json")
            .Produces<CredentialView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .WithSummary("Create a credential: values are validated against the connector's credential schema, stored in the secret store, and answered masked");
        group.MapGet("/", ListAsync)
            .Produces<PageResponse<CredentialView>>()
            .WithSummary("List the tenant's credentials (?connectorId=, ?limit=, ?continuationToken=)");
        group.MapGet("/{id}", GetAsync)
            .Produces<CredentialView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get a credential (masked) and its ETag");
        group.MapPut("/{id}", RotateAsync)
            .Accepts<RotateCredentialRequest>("application/json")
            .Produces<CredentialView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .WithSummary("Rotate a credential's values (If-Match honoured)");
        group.MapDelete("/{id}", DeleteAsync)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .WithSummary("Delete a credential and destroy its secret; refused while an integration uses it (If-Match honoured)");
        return endpoints;
    }

    /// <summary>The API view of a credential.</summary>
    public static CredentialView View(Credential c) => new(c.Id, c.ConnectorId, c.Name, c.Kind, c.Status, c.Masked, c.CreatedAt, c.RotatedAt, c.LastCheck);

    private static async Task<IResult> CreateAsync(JsonBody<CreateCredentialRequest> body, ClaimsPrincipal user, CredentialService credentials, CancellationToken cancellationToken)
    {
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var created = await credentials.CreateAsync(user.TenantId(), request.ConnectorId, request.Name, request.Values, cancellationToken);
        return TypedResults.Created($"/api/v1/credentials/{created.Id}", View(created)).WithETag(created.ETag);
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, CredentialService credentials, string? connectorId, int? limit, string? continuationToken, CancellationToken cancellationToken)
    {
        if (Paging.Validate(limit) is { } problem)
        {
            return problem;
        }

        var page = await credentials.ListAsync(user.TenantId(), connectorId, limit ?? Paging.DefaultLimit, continuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<CredentialView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, CredentialService credentials, CancellationToken cancellationToken)
    {
        var credential = await credentials.GetAsync(user.TenantId(), id, cancellationToken);
        return TypedResults.Ok(View(credential)).WithETag(credential.ETag);
    }

    private static async Task<IResult> RotateAsync(string id, JsonBody<RotateCredentialRequest> body, HttpRequest request, ClaimsPrincipal user, CredentialService credentials, CancellationToken cancellationToken)
    {
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var rotated = await credentials.RotateAsync(user.TenantId(), id, body.Value!.Values, body.Value.Name, ETags.IfMatch(request), cancellationToken);
        return TypedResults.Ok(View(rotated)).WithETag(rotated.ETag);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpRequest request, ClaimsPrincipal user, CredentialService credentials, CancellationToken cancellationToken)
    {
        await credentials.DeleteAsync(user.TenantId(), id, ETags.IfMatch(request), cancellationToken);
        return TypedResults.NoContent();
    }
}
