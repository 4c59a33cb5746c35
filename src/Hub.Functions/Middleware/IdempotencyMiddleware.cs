using System.Text;
using IntegrationHub.Core.Idempotency;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace IntegrationHub.Functions.Middleware;

/// <summary>
/// Replays the first response to a POST carrying an <c>Idempotency-Key</c> on a function marked
/// <see cref="IdempotentAttribute"/> (draft-ietf-httpapi-idempotency-key-header). The key's scope is the
/// caller's tenant and the route's canonical form — the function's name and its route values — so the
/// same key sent to <c>/api/v1/Integrations</c> and <c>/api/v1/integrations</c> is one key. The first
/// request claims the key, runs, and its successful response is recorded; a repeat of the same request
/// gets that response with <c>Idempotent-Replayed: true</c>; a different request with the same key is
/// refused (422), as is a repeat that arrives while the first is still running (409). A failed first
/// request releases the key so it can be retried.
/// </summary>
internal sealed class IdempotencyMiddleware(IdempotencyStore store) : IFunctionsWorkerMiddleware
{
    private const string Header = "Idempotency-Key";
    private const int MaxRecordedBody = 64 * 1024;

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.Http();
        if (!HttpMethods.IsPost(http.Request.Method)
            || !HttpFunctionInfo.Of(context).Idempotent
            || !http.Request.Headers.TryGetValue(Header, out var keyValues)
            || ScopeOf(http) is not { } tenantId)
        {
            await next(context);
            return;
        }

        var key = keyValues.ToString();
        if (key.Length is 0 or > 200)
        {
            context.Answer(ApiProblems.Validation(Header, "must be 1 to 200 characters."));
            return;
        }

        http.Request.EnableBuffering();
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        http.Request.Body.Position = 0;

        var route = CanonicalRoute(context, http);
        var id = IdempotencyStore.IdOf(http.Request.Method, route, key);
        var requestHash = IdempotencyStore.HashOf(http.Request.Method, route, body.GetBuffer().AsSpan(0, (int)body.Length));
        var (claimed, record) = await store.TryBeginAsync(tenantId, id, requestHash, http.RequestAborted);
        if (!claimed)
        {
            context.Answer(Replay(record, requestHash));
            return;
        }

        try
        {
            await next(context);
        }
        catch
        {
            await store.AbandonAsync(tenantId, id, CancellationToken.None);
            throw;
        }

        // Execute the function's result here, into a buffer, to record what the caller is sent.
        var invocation = context.GetInvocationResult();
        if (invocation.Value is not IResult result)
        {
            await store.AbandonAsync(tenantId, id, CancellationToken.None);
            return;
        }

        var original = http.Response.Body;
        using var captured = new MemoryStream();
        http.Response.Body = captured;
        try
        {
            await result.ExecuteAsync(http);
        }
        finally
        {
            http.Response.Body = original;
        }

        invocation.Value = null;
        var status = http.Response.StatusCode;
        if (status is >= 200 and < 300 && captured.Length <= MaxRecordedBody)
        {
            await store.CompleteAsync(
                record with
                {
                    StatusCode = status,
                    ContentType = http.Response.ContentType,
                    Location = http.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                    ResponseETag = http.Response.Headers.ETag.ToString() is { Length: > 0 } etag ? etag : null,
                    Body = Encoding.UTF8.GetString(captured.GetBuffer(), 0, (int)captured.Length),
                },
                CancellationToken.None);
        }
        else
        {
            await store.AbandonAsync(tenantId, id, CancellationToken.None);
        }

        captured.Position = 0;
        await captured.CopyToAsync(original, http.RequestAborted);
    }

    // Keys are remembered per tenant; the operator's requests share one scope of their own.
    private static string? ScopeOf(HttpContext http) =>
        http.User.FindFirst(Caller.TenantClaim)?.Value ?? (http.User.IsInRole(Caller.AdminRole) ? "_operator" : null);

    /// <summary>The function's name and its route values in a fixed order: what the request addresses, whatever the path's letter case.</summary>
    internal static string CanonicalRoute(FunctionContext context, HttpContext http)
    {
        var values = http.Request.RouteValues
            .Where(v => v.Value is not null)
            .OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase)
            .Select(v => $"{v.Key.ToLowerInvariant()}={v.Value}");
        return $"{context.FunctionDefinition.Name}?{string.Join('&', values)}";
    }

    private static IResult Replay(IdempotencyRecord record, string requestHash)
    {
        if (record.RequestHash != requestHash)
        {
            return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "This Idempotency-Key was used for a different request.", "Use a new key for a new request.");
        }

        if (record.Pending)
        {
            return new HeaderResult(ApiProblems.Problem(StatusCodes.Status409Conflict, "A request with this Idempotency-Key is still being processed.", "Retry shortly to get its response."), "Retry-After", "1");
        }

        return new ReplayResult(record);
    }

    private sealed class HeaderResult(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }

    private sealed class ReplayResult(IdempotencyRecord record) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = record.StatusCode;
            response.Headers["Idempotent-Replayed"] = "true";
            if (record.ContentType is not null)
            {
                response.ContentType = record.ContentType;
            }

            if (record.Location is not null)
            {
                response.Headers.Location = record.Location;
            }

            if (record.ResponseETag is not null)
            {
                response.Headers.ETag = record.ResponseETag;
            }

            if (record.Body is not null)
            {
                await response.WriteAsync(record.Body, httpContext.RequestAborted);
            }
        }
    }
}
