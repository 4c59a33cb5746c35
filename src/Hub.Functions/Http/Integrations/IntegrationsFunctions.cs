using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Webhooks;
using IntegrationHub.Functions.Http.Webhooks;
using Microsoft.Extensions.Options;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Middleware;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.Integrations;

/// <summary>
/// A tenant's integrations (connector instances) under <c>/api/v1/integrations</c>. A definition is
/// validated as a whole (configuration against the connector's schema, credential, stream, schedule,
/// topic, mapping) and every error is answered at once, each named by its field.
/// </summary>
[Requires(Access.Tenant)]
[Tags("Integrations")]
public sealed class IntegrationsFunctions(IntegrationService integrations, IntegrationPreview preview, IConnectorCatalog catalog, WebhookSecrets webhookSecrets, IOptions<WebhookOptions> webhooks)
{
    /// <summary>
    /// One integration's route. The host tries function routes in order and takes the first match, so
    /// <c>{id}</c> excludes the literal siblings (<c>available</c>, <c>preview</c>) that other functions serve.
    /// </summary>
    public const string IntegrationRoute = "api/v1/integrations/{id:regex(^(?!available$|preview$))}";

    /// <summary>An integration's definition, for create and for full replace.</summary>
    /// <param name="Name">A human name.</param>
    /// <param name="ConnectorId">A connector id from GET /api/v1/integrations/available; cannot change on replace.</param>
    /// <param name="Configuration">Configuration for the connector's <c>configurationSchema</c>; absent: <c>{}</c>.</param>
    /// <param name="CredentialId">A credential of the tenant for the same connector; required when the connector's configuration needs one.</param>
    /// <param name="Stream">One of the connector's streams; absent: its first. Cannot change on replace.</param>
    /// <param name="Schedule">Six-field NCRONTAB, e.g. <c>0 */15 * * * *</c> (UTC); absent: on demand only.</param>
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
    /// <c>webhookUrl</c> is where the external system posts webhooks when the connector receives them (set the secret
    /// with <c>POST /api/v1/integrations/{id}/webhook-secret</c>), otherwise null.
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
        DateTimeOffset UpdatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? WebhookUrl = null);

    /// <summary><c>POST /api/v1/integrations</c>: 201 with the integration, its Location and ETag.</summary>
    [Function("CreateIntegration")]
    [Idempotent]
    [EndpointSummary("Create an integration")]
    [Consumes(typeof(IntegrationRequest), "application/json")]
    [ProducesResponseType<IntegrationView>(StatusCodes.Status201Created)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<IResult> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/integrations")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<IntegrationRequest>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var created = await integrations.CreateAsync(request.TenantId(), Definition(body.Value!), cancellationToken);
        return TypedResults.Created($"/api/v1/integrations/{created.Id}", Show(request, created)).WithETag(created.ETag);
    }

    /// <summary><c>GET /api/v1/integrations</c>: a page of the tenant's integrations.</summary>
    [Function("ListIntegrations")]
    [Paged]
    [QueryParameter("connectorId", typeof(string), "Only integrations of this connector.")]
    [QueryParameter("status", typeof(string), "active, disabled or error.")]
    [EndpointSummary("List the tenant's integrations (?connectorId=, ?status=active|disabled|error, ?limit=, ?continuationToken=)")]
    [ProducesResponseType<PageResponse<IntegrationView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/integrations")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (Paging.Read(request, out var problem) is not { } paging)
        {
            return problem!;
        }

        var page = await integrations.ListAsync(request.TenantId(), Query.Text(request, "connectorId"), Query.Text(request, "status"), paging.Limit, paging.ContinuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<IntegrationView>(page.Items.Select(i => Show(request, i)).ToList(), page.ContinuationToken));
    }

    /// <summary><c>GET /api/v1/integrations/{id}</c>: the integration and its ETag.</summary>
    [Function("GetIntegration")]
    [EndpointSummary("Get an integration and its ETag")]
    [ProducesResponseType<IntegrationView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = IntegrationRoute)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var integration = await integrations.GetAsync(request.TenantId(), id, cancellationToken);
        return TypedResults.Ok(Show(request, integration)).WithETag(integration.ETag);
    }

    /// <summary><c>PUT /api/v1/integrations/{id}</c>: replaces the definition; <c>If-Match</c> honoured (412 when stale).</summary>
    [Function("ReplaceIntegration")]
    [EndpointSummary("Replace an integration's definition (If-Match honoured)")]
    [Consumes(typeof(IntegrationRequest), "application/json")]
    [ProducesResponseType<IntegrationView>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    public async Task<IResult> ReplaceAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = IntegrationRoute)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<IntegrationRequest>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var replaced = await integrations.ReplaceAsync(request.TenantId(), id, Definition(body.Value!), ETags.IfMatch(request), cancellationToken);
        return TypedResults.Ok(Show(request, replaced)).WithETag(replaced.ETag);
    }

    /// <summary><c>DELETE /api/v1/integrations/{id}</c>: 204; <c>If-Match</c> honoured.</summary>
    [Function("DeleteIntegration")]
    [EndpointSummary("Delete an integration and its run state (If-Match honoured)")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    public async Task<IResult> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = IntegrationRoute)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        await integrations.DeleteAsync(request.TenantId(), id, ETags.IfMatch(request), cancellationToken);
        await webhookSecrets.DeleteAsync(request.TenantId(), id, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>What a preview read: up to 10 records of the first page, each raw and mapped.</summary>
    public sealed record PreviewResponse(IReadOnlyList<PreviewRecord> Records);

    /// <summary>
    /// <c>POST /api/v1/integrations/preview</c>: the body of a create, validated as on create (400 with the same
    /// field errors); answers the first page's first records raw and mapped. Saves nothing, moves no cursor;
    /// the read is guarded and paced as a run's is. A source that refuses answers 422 with its reason.
    /// </summary>
    [Function("PreviewIntegration")]
    [EndpointSummary("Read the first records of an integration definition without saving it: raw and mapped")]
    [Consumes(typeof(IntegrationRequest), "application/json")]
    [ProducesResponseType<PreviewResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> PreviewAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/integrations/preview")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<IntegrationRequest>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        try
        {
            var records = await preview.PreviewAsync(request.TenantId(), Definition(body.Value!), IntegrationPreview.MaxRecords, cancellationToken);
            return TypedResults.Ok(new PreviewResponse(records));
        }
        catch (ConnectorException e)
        {
            return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "The source refused the preview.", e.Message);
        }
    }

    /// <summary>The API view of an integration.</summary>
    public static IntegrationView View(Integration i)
    {
        ArgumentNullException.ThrowIfNull(i);
        return new(i.Id, i.Name, i.ConnectorId, i.Configuration, i.CredentialId, i.Stream, i.Schedule, i.Enabled, i.Topic, i.Mapping, i.Status, i.LastRun, i.CreatedAt, i.UpdatedAt);
    }

    private IntegrationView Show(HttpRequest request, Integration i) =>
        catalog.Find(i.ConnectorId) is IWebhookReceiver ? View(i) with { WebhookUrl = WebhooksFunctions.UrlOf(request, webhooks.Value, i.Id) } : View(i);

    private static IntegrationDefinition Definition(IntegrationRequest r) =>
        new(r.Name, r.ConnectorId, r.Configuration, r.CredentialId, r.Stream, r.Schedule, r.Enabled, r.Topic, r.Mapping);
}
