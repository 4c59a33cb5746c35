using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;

namespace IntegrationHub.Functions.Functions.Integrations;

/// <summary>
/// The <c>Integrations</c> function: a tenant's connector instances. A definition is validated as a whole
/// (configuration against the connector's schema, credential, stream, schedule, topic, mapping) and every
/// error is answered at once, each named by its field.
/// </summary>
public static class IntegrationsEndpoints
{
    /// <summary>An integration's definition, for create and for full replace.</summary>
    /// <param name="Name">A human name.</param>
    /// <param name="ConnectorId">A connector id from GET /api/v1/integrations/available; cannot change on replace.</param>
    /// <param name="Configuration">Configuration for the connector's <c>configurationSchema</c>; absent: <c>{}</c>.</param>
    /// <param name="CredentialId">A credential of the tenant for the same connector; required when the connector takes one.</param>
    /// <param name="Stream">One of the connector's streams; absent: its first. Cannot change on replace.</param>
    /// <param name="Schedule">Six-field NCRONTAB, e.g. <c>0 */15 * * * *</c>; absent: on demand only.</param>
    /// <param name="Enabled">Absent: true.</param>
    /// <param name="Topic">Short Pulsar topic name or <c>persistent://tenant/namespace/topic</c>; absent: <c>hub.{tenant}.{connector}.{stream}</c>.</param>
    /// <param name="Mapping">A record mapping (paths, constants, templates, nested objects); absent: records as read.</param>
    public sealed record IntegrationRequest(
        [property: Required, StringLength(200, MinimumLength = 1)] string Name,
        [property: Required, StringLength(100, MinimumLength = 1)] string ConnectorId,
        JsonElement? Configuration = null,
        [property: StringLength(200, MinimumLength = 1)] string? CredentialId = null,
        [property: StringLength(100, MinimumLength = 1)] string? Stream = null,
        [property: StringLength(200, MinimumLength = 1)] string? Schedule = null,
        bool? Enabled = null,
        [property: StringLength(300, MinimumLength = 1)] string? Topic = null,
        JsonElement? Mapping = null);

    /// <summary>
    /// An integration as the API shows it (no credential values: only the credential's id). <c>status</c> is
    /// <c>active</c>, <c>disabled</c>, or <c>error</c> when the last run failed; <c>lastRun</c> is null before the first run.
    /// </summary>
    public sealed record IntegrationView(
        string Id,
        string Name,
        string ConnectorId,
        JsonElement Configuration,
        string? CredentialId,
        string Stream,
        string? Schedule,
        bool Enabled,
        string? Topic,
        JsonElement? Mapping,
        string Status,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] LastRunSummary? LastRun,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt);

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapIntegrations(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/integrations").WithTags("Integrations").RequireAuthorization(Caller.TenantPolicy);
        group.MapPost("/", CreateAsync).Idempotent()
            .Accepts<IntegrationRequest>("application/json")
            .Produces<IntegrationView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .WithSummary("Create an integration");
        group.MapGet("/", ListAsync)
            .Produces<PageResponse<IntegrationView>>()
            .ProducesValidationProblem()
            .WithSummary("List the tenant's integrations (?connectorId=, ?status=active|disabled|error, ?limit=, ?continuationToken=)");
        group.MapGet("/{id}", GetAsync)
            .Produces<IntegrationView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get an integration and its ETag");
        group.MapPut("/{id}", ReplaceAsync)
            .Accepts<IntegrationRequest>("application/json")
            .Produces<IntegrationView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .WithSummary("Replace an integration's definition (If-Match honoured)");
        group.MapDelete("/{id}", DeleteAsync)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .WithSummary("Delete an integration and its run state (If-Match honoured)");
        return endpoints;
    }

    /// <summary>The API view of an integration.</summary>
    public static IntegrationView View(Integration i) =>
        new(i.Id, i.Name, i.ConnectorId, i.Configuration, i.CredentialId, i.Stream, i.Schedule, i.Enabled, i.Topic, i.Mapping, i.Status, i.LastRun, i.CreatedAt, i.UpdatedAt);

    private static IntegrationDefinition Definition(IntegrationRequest r) =>
        new(r.Name, r.ConnectorId, r.Configuration, r.CredentialId, r.Stream, r.Schedule, r.Enabled, r.Topic, r.Mapping);

    private static async Task<IResult> CreateAsync(JsonBody<IntegrationRequest> body, ClaimsPrincipal user, IntegrationService integrations, CancellationToken cancellationToken)
    {
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var created = await integrations.CreateAsync(user.TenantId(), Definition(body.Value!), cancellationToken);
        return TypedResults.Created($"/api/v1/integrations/{created.Id}", View(created)).WithETag(created.ETag);
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, IntegrationService integrations, string? connectorId, string? status, int? limit, string? continuationToken, CancellationToken cancellationToken)
    {
        if (Paging.Validate(limit) is { } problem)
        {
            return problem;
        }

        var page = await integrations.ListAsync(user.TenantId(), connectorId, status, limit ?? Paging.DefaultLimit, continuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<IntegrationView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, IntegrationService integrations, CancellationToken cancellationToken)
    {
        var integration = await integrations.GetAsync(user.TenantId(), id, cancellationToken);
        return TypedResults.Ok(View(integration)).WithETag(integration.ETag);
    }

    private static async Task<IResult> ReplaceAsync(string id, JsonBody<IntegrationRequest> body, HttpRequest request, ClaimsPrincipal user, IntegrationService integrations, CancellationToken cancellationToken)
    {
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var replaced = await integrations.ReplaceAsync(user.TenantId(), id, Definition(body.Value!), ETags.IfMatch(request), cancellationToken);
        return TypedResults.Ok(View(replaced)).WithETag(replaced.ETag);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpRequest request, ClaimsPrincipal user, IntegrationService integrations, CancellationToken cancellationToken)
    {
        await integrations.DeleteAsync(user.TenantId(), id, ETags.IfMatch(request), cancellationToken);
        return TypedResults.NoContent();
    }
}
