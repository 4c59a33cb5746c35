using IntegrationHub.Core.Idempotency;
using IntegrationHub.Functions.Security;

namespace IntegrationHub.Functions.Api;

/// <summary>Marks an endpoint whose POST honours <c>Idempotency-Key</c>.</summary>
public sealed class IdempotentMetadata
{
    internal static readonly IdempotentMetadata Instance = new();
}

/// <summary>Endpoint conventions for idempotent creation.</summary>
public static class IdempotencyEndpointExtensions
{
    /// <summary>A repeated request with the same <c>Idempotency-Key</c> gets the first response again instead of creating twice.</summary>
    public static TBuilder Idempotent<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(IdempotentMetadata.Instance);
}

/// <summary>
/// Replays the first response to a POST carrying an <c>Idempotency-Key</c> (scoped to the tenant and
/// route): the first request claims the key, runs, and its successful response is recorded; a repeat of
/// the same request gets that response with <c>Idempotent-Replayed: true</c>; a different request with
/// the same key is refused (422), as is a repeat that arrives while the first is still running (409).
/// A failed first request releases the key so it can be retried.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next)
{
    private const string Header = "Idempotency-Key";
    private const int MaxRecordedBody = 64 * 1024;

    public async Task InvokeAsync(HttpContext context, IdempotencyStore store)
    {
        var endpoint = context.GetEndpoint();
        if (!HttpMethods.IsPost(context.Request.Method)
            || endpoint?.Metadata.GetMetadata<IdempotentMetadata>() is null
            || !context.Request.Headers.TryGetValue(Header, out var keyValues)
            || ScopeOf(context) is not { } tenantId)
        {
            await next(context);
            return;
        }

        var key = keyValues.ToString();
        if (key.Length is 0 or > 200)
        {
            await ApiProblems.Validation(Header, "must be 1 to 200 characters.").ExecuteAsync(context);
            return;
        }

        context.Request.EnableBuffering();
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        context.Request.Body.Position = 0;

        var path = context.Request.Path.Value ?? string.Empty;
        var id = IdempotencyStore.IdOf(context.Request.Method, path, key);
        var requestHash = IdempotencyStore.HashOf(context.Request.Method, path, body.GetBuffer().AsSpan(0, (int)body.Length));
        var (claimed, record) = await store.TryBeginAsync(tenantId, id, requestHash, context.RequestAborted);
        if (!claimed)
        {
            await ReplayAsync(context, record, requestHash);
            return;
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next(context);
        }
        catch
        {
            context.Response.Body = original;
            await store.AbandonAsync(tenantId, id, CancellationToken.None);
            throw;
        }

        context.Response.Body = original;
        captured.Position = 0;
        var status = context.Response.StatusCode;
        if (status is >= 200 and < 300 && captured.Length <= MaxRecordedBody)
        {
            await store.CompleteAsync(
                record with
                {
                    StatusCode = status,
                    ContentType = context.Response.ContentType,
                    Location = context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                    ResponseETag = context.Response.Headers.ETag.ToString() is { Length: > 0 } etag ? etag : null,
                    Body = System.Text.Encoding.UTF8.GetString(captured.GetBuffer(), 0, (int)captured.Length),
                },
                CancellationToken.None);
        }
        else
        {
            await store.AbandonAsync(tenantId, id, CancellationToken.None);
        }

        await captured.CopyToAsync(original, context.RequestAborted);
    }

    // Keys are remembered per tenant; the operator's requests share one scope of their own.
    private static string? ScopeOf(HttpContext context) =>
        context.User.FindFirst(Caller.TenantClaim)?.Value ?? (context.User.IsInRole(Caller.AdminRole) ? "_operator" : null);

    private static async Task ReplayAsync(HttpContext context, IdempotencyRecord record, string requestHash)
    {
        if (record.RequestHash != requestHash)
        {
            await ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "This Idempotency-Key was used for a different request.", "Use a new key for a new request.").ExecuteAsync(context);
            return;
        }

        if (record.Pending)
        {
            context.Response.Headers.RetryAfter = "1";
            await ApiProblems.Problem(StatusCodes.Status409Conflict, "A request with this Idempotency-Key is still being processed.", "Retry shortly to get its response.").ExecuteAsync(context);
            return;
        }

        context.Response.StatusCode = record.StatusCode;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (record.ContentType is not null)
        {
            context.Response.ContentType = record.ContentType;
        }

        if (record.Location is not null)
        {
            context.Response.Headers.Location = record.Location;
        }

        if (record.ResponseETag is not null)
        {
            context.Response.Headers.ETag = record.ResponseETag;
        }

        if (record.Body is not null)
        {
            await context.Response.WriteAsync(record.Body, context.RequestAborted);
        }
    }
}
