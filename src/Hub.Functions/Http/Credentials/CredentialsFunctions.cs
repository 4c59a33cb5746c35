using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using IntegrationHub.Core.Credentials;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Middleware;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.Credentials;

/// <summary>
/// A tenant's credentials under <c>/api/v1/credentials</c>: create, list, read, rotate, delete and check.
/// Values go in and never come back out: every answer shows masked hints only.
/// </summary>
[Requires(Access.Tenant)]
[Tags("Credentials")]
public sealed class CredentialsFunctions(CredentialService credentials)
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
        CredentialCheck? LastCheck);

    /// <summary>What to check with; the body is optional.</summary>
    /// <param name="Configuration">A configuration for the connector's schema (e.g. which repository to read); absent: <c>{}</c>.</param>
    public sealed record CheckCredentialRequest(JsonElement? Configuration = null);

    /// <summary>The outcome, also recorded as the credential's <c>lastCheck</c>; a refused connection is a result, with the system's reason in <c>message</c>.</summary>
    public sealed record CheckCredentialResponse(bool Succeeded, string Message, DateTimeOffset CheckedAt);

    /// <summary><c>POST /api/v1/credentials</c>: values validated against the connector's credential schema, stored in the secret store, answered masked.</summary>
    [Function("CreateCredential")]
    [Idempotent]
    [EndpointSummary("Create a credential: values are validated against the connector's credential schema, stored in the secret store, and answered masked")]
    [Consumes(typeof(CreateCredentialRequest), "application/json")]
    [ProducesResponseType<CredentialView>(StatusCodes.Status201Created)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<IResult> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/credentials")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<CreateCredentialRequest>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var value = body.Value!;
        var created = await credentials.CreateAsync(request.TenantId(), value.ConnectorId, value.Name, value.Values, cancellationToken);
        return TypedResults.Created($"/api/v1/credentials/{created.Id}", View(created)).WithETag(created.ETag);
    }

    /// <summary><c>GET /api/v1/credentials</c>: a page of the tenant's credentials, masked.</summary>
    [Function("ListCredentials")]
    [Paged]
    [QueryParameter("connectorId", typeof(string), "Only credentials of this connector.")]
    [EndpointSummary("List the tenant's credentials (?connectorId=, ?limit=, ?continuationToken=)")]
    [ProducesResponseType<PageResponse<CredentialView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/credentials")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (Paging.Read(request, out var problem) is not { } paging)
        {
            return problem!;
        }

        var page = await credentials.ListAsync(request.TenantId(), Query.Text(request, "connectorId"), paging.Limit, paging.ContinuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<CredentialView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }

    /// <summary><c>GET /api/v1/credentials/{id}</c>: masked, with its ETag.</summary>
    [Function("GetCredential")]
    [EndpointSummary("Get a credential (masked) and its ETag")]
    [ProducesResponseType<CredentialView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/credentials/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var credential = await credentials.GetAsync(request.TenantId(), id, cancellationToken);
        return TypedResults.Ok(View(credential)).WithETag(credential.ETag);
    }

    /// <summary><c>PUT /api/v1/credentials/{id}</c>: rotates the values; <c>If-Match</c> honoured.</summary>
    [Function("RotateCredential")]
    [EndpointSummary("Rotate a credential's values (If-Match honoured)")]
    [Consumes(typeof(RotateCredentialRequest), "application/json")]
    [ProducesResponseType<CredentialView>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    public async Task<IResult> RotateAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/credentials/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<RotateCredentialRequest>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var rotated = await credentials.RotateAsync(request.TenantId(), id, body.Value!.Values, body.Value.Name, ETags.IfMatch(request), cancellationToken);
        return TypedResults.Ok(View(rotated)).WithETag(rotated.ETag);
    }

    /// <summary><c>DELETE /api/v1/credentials/{id}</c>: 204, or 409 naming the integrations that use it.</summary>
    [Function("DeleteCredential")]
    [EndpointSummary("Delete a credential and destroy its secret; refused while an integration uses it (If-Match honoured)")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    public async Task<IResult> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/credentials/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        await credentials.DeleteAsync(request.TenantId(), id, ETags.IfMatch(request), cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary><c>POST /api/v1/credentials/{id}/check</c>: runs the connector's cheap authenticated call with the credential.</summary>
    [Function("CheckCredential")]
    [Idempotent]
    [EndpointSummary("Check a credential: run the connector's connection check with its values and an optional sample configuration")]
    [Consumes(typeof(CheckCredentialRequest), "application/json")]
    [ProducesResponseType<CheckCredentialResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> CheckAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/credentials/{id}/check")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<CheckCredentialRequest>.ReadAsync(request, optional: true);
        if (body?.Problem is not null)
        {
            return body.Problem;
        }

        var check = await credentials.CheckAsync(request.TenantId(), id, body?.Value?.Configuration, cancellationToken);
        return TypedResults.Ok(new CheckCredentialResponse(check.Succeeded, check.Message, check.At));
    }

    /// <summary>The API view of a credential.</summary>
    public static CredentialView View(Credential c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.ConnectorId, c.Name, c.Kind, c.Status, c.Masked, c.CreatedAt, c.RotatedAt, c.LastCheck);
    }
}
