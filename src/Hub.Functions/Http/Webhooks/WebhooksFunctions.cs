using System.ComponentModel.DataAnnotations;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Webhooks;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Middleware;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Http.Webhooks;

/// <summary>
/// Inbound webhooks. External systems push events to <c>POST /api/v1/webhooks/{integrationId}</c>, authenticated by
/// their own signature scheme (not a tenant key); a tenant sets the secret with
/// <c>POST /api/v1/integrations/{id}/webhook-secret</c>. Deliveries are verified, stored once per delivery id and
/// acknowledged at once; their events are published right after (and re-driven by <c>DrainWebhooks</c>).
/// </summary>
[Tags("Webhooks")]
public sealed class WebhooksFunctions(WebhookIntake intake, WebhookDispatcher dispatcher, WebhookSecrets secrets, IOptions<WebhookOptions> options)
{
    /// <summary>The body of <c>POST /api/v1/integrations/{id}/webhook-secret</c>.</summary>
    /// <param name="Secret">The secret the system issued, for connectors whose secret is theirs (Slack's signing secret, Zulip's outgoing-webhook token); absent for GitHub, Jira and REST, whose secret the hub generates.</param>
    public sealed record WebhookSecretRequest([property: StringLength(512, MinimumLength = 8)] string? Secret = null);

    /// <summary>
    /// The answer of <c>POST /api/v1/integrations/{id}/webhook-secret</c>. <c>secret</c> is shown this once (64 hex
    /// digits: 32 random bytes) when the hub generated it, null when the system issued it; <c>url</c> is where to
    /// register the webhook; <c>issuer</c> is <c>Hub</c> or <c>System</c>; <c>version</c> counts rotations.
    /// </summary>
    public sealed record WebhookSecretView(string? Secret, string Url, WebhookSecretIssuer Issuer, long Version);

    /// <summary>What a webhook request is answered with when the system wants no particular body: <c>status</c> is <c>accepted</c> (202) or <c>duplicate</c> (200).</summary>
    public sealed record WebhookAcknowledgement(string Status, string DeliveryId, int Records);

    /// <summary>
    /// <c>POST /api/v1/webhooks/{integrationId}</c>: 202 <c>accepted</c> once stored (the system's own reply body with 200
    /// for Slack's handshake and Zulip), 200 <c>duplicate</c> for a redelivery, 401 for a missing, wrong or stale
    /// signature, 400 for a payload without what the system documents, 404 for an unknown or disabled integration or one
    /// without a webhook secret, 413 above <c>Webhooks__MaxBodyBytes</c>, 429 above the integration's rate.
    /// </summary>
    [Function("ReceiveWebhook")]
    [Requires(Access.Anonymous)]
    [WebhookBodyLimit]
    [EndpointSummary("Receive a webhook from an external system (signed with the integration's webhook secret)")]
    [ProducesResponseType<WebhookAcknowledgement>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<WebhookAcknowledgement>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests)]
    public async Task<IResult> ReceiveAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/webhooks/{integrationId}")] HttpRequest request,
        string integrationId,
        CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, options.Value.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "The body is too large.", $"The largest webhook body accepted is {options.Value.MaxBodyBytes} bytes.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            if (values.Count > 0 && values[0] is { } first)
            {
                headers[name] = first;
            }
        }

        var outcome = await intake.ReceiveAsync(integrationId, new WebhookRequest(headers, body), cancellationToken);
        switch (outcome)
        {
            case WebhookOutcome.Accepted accepted:
                dispatcher.Notify(accepted.TenantId, accepted.IntegrationId);
                return accepted.Reply is { } reply
                    ? TypedResults.Json(reply, statusCode: StatusCodes.Status200OK)
                    : TypedResults.Json(new WebhookAcknowledgement("accepted", accepted.DeliveryId, accepted.Records), statusCode: StatusCodes.Status202Accepted);
            case WebhookOutcome.Duplicate duplicate:
                return duplicate.Reply is { } again
                    ? TypedResults.Json(again, statusCode: StatusCodes.Status200OK)
                    : TypedResults.Ok(new WebhookAcknowledgement("duplicate", duplicate.DeliveryId, 0));
            case WebhookOutcome.Handshake handshake:
                return TypedResults.Json(handshake.Reply, statusCode: StatusCodes.Status200OK);
            case WebhookOutcome.Rejected { Reason: WebhookRejections.Malformed } malformed:
                return ApiProblems.Problem(StatusCodes.Status400BadRequest, "The webhook payload is not what the system documents.", malformed.Detail);
            case WebhookOutcome.Rejected rejected:
                return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "The webhook signature does not verify.", rejected.Reason);
            case WebhookOutcome.RateLimited limited:
                request.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(limited.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ApiProblems.Problem(StatusCodes.Status429TooManyRequests, "Too many webhook requests for this integration.", "Retry after the time in Retry-After.");
            default:
                return ApiProblems.Problem(StatusCodes.Status404NotFound, "No integration receives webhooks here.", null);
        }
    }

    /// <summary>
    /// <c>POST /api/v1/integrations/{id}/webhook-secret</c>: sets or rotates the integration's webhook secret; 201 with
    /// <see cref="WebhookSecretView"/> (the generated secret is shown only in this answer). The previous secret stops
    /// verifying at once. 400 when the connector receives no webhooks or the body's <c>secret</c> is missing/not allowed.
    /// </summary>
    [Function("SetWebhookSecret")]
    [Requires(Access.Tenant)]
    [EndpointSummary("Set or rotate an integration's webhook secret; the generated secret is shown once")]
    [Consumes(typeof(WebhookSecretRequest), "application/json")]
    [ProducesResponseType<WebhookSecretView>(StatusCodes.Status201Created)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> SetSecretAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/integrations/{id}/webhook-secret")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        WebhookSecretRequest? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var read = await JsonBody<WebhookSecretRequest>.ReadRequiredAsync(request);
            if (read.Problem is not null)
            {
                return read.Problem;
            }

            body = read.Value;
        }

        var issued = await secrets.SetAsync(request.TenantId(), id, body?.Secret, cancellationToken);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/api/v1/integrations/{id}", new WebhookSecretView(issued.Secret, UrlOf(request, options.Value, id), issued.Issuer, issued.Version));
    }

    /// <summary>The URL an external system posts an integration's webhooks to.</summary>
    public static string UrlOf(HttpRequest request, WebhookOptions options, string integrationId)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var root = options.PublicBaseUrl is { Length: > 0 } configured ? configured.TrimEnd('/') : $"{request.Scheme}://{request.Host}";
        return $"{root}/api/v1/webhooks/{Uri.EscapeDataString(integrationId)}";
    }

    // The raw body, at most max bytes; null when larger (Content-Length or while reading).
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        if (request.ContentLength > max)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
