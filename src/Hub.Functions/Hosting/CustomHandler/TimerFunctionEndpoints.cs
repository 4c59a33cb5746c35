using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IntegrationHub.Functions.Hosting.CustomHandler;

/// <summary>Maps each registered <see cref="ITimerFunction"/> to <c>POST /{Name}</c>, the custom handler invocation endpoint.</summary>
public static class TimerFunctionEndpoints
{
    /// <summary>The endpoint group's tag, so the function/endpoint agreement test can tell invocation endpoints from API endpoints.</summary>
    public const string InvocationTag = "function-invocation";

    /// <summary>Maps the invocation endpoints of every registered timer function.</summary>
    public static IEndpointRouteBuilder MapTimerFunctions(this IEndpointRouteBuilder endpoints)
    {
        foreach (var function in endpoints.ServiceProvider.GetServices<ITimerFunction>())
        {
            endpoints.MapPost($"/{function.Name}", (HttpContext http, CancellationToken ct) => InvokeAsync(function, http, ct))
                .WithName(function.Name)
                .WithTags(InvocationTag)
                .AllowAnonymous()
                .ExcludeFromDescription();
        }

        return endpoints;
    }

    private static async Task<Results<Ok<InvocationResponse>, JsonHttpResult<InvocationResponse>, ProblemHttpResult>> InvokeAsync(ITimerFunction function, HttpContext http, CancellationToken cancellationToken)
    {
        // Only the Functions host (or, standalone, the hub's own scheduler) invokes functions, and both do so over loopback.
        if (http.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Function invocations are accepted from the local Functions host only.");
        }

        InvocationRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<InvocationRequest>(cancellationToken);
        }
        catch (JsonException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The invocation payload is not the host's JSON shape.", detail: e.Message);
        }

        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var context = ContextOf(function.Name, request ?? new InvocationRequest(), time);
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TimerFunctionEndpoints));
        var watch = Stopwatch.StartNew();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["functionName"] = function.Name, ["invocationId"] = context.InvocationId });
        try
        {
            await function.RunAsync(context, cancellationToken);
            Logs.TimerFunctionCompleted(logger, function.Name, watch.Elapsed.TotalMilliseconds);
            return TypedResults.Ok(Respond(context));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Logs.TimerFunctionFailed(logger, function.Name, e);
            context.Log($"{function.Name} failed: {e.GetType().Name}: {e.Message}");

            // A non-success status tells the host the invocation failed; the body still carries the logs.
            return TypedResults.Json(Respond(context), statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    private static InvocationResponse Respond(TimerContext context) => new() { Logs = [.. context.Logs] };

    private static TimerContext ContextOf(string name, InvocationRequest request, TimeProvider time)
    {
        TimerInfo? timer = null;
        foreach (var value in request.Data.Values)
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("IsPastDue", out _))
            {
                timer = value.Deserialize<TimerInfo>();
                break;
            }
        }

        var invokedAt = time.GetUtcNow();
        var invocationId = Guid.NewGuid().ToString();
        if (request.Metadata.TryGetValue("sys", out var sys) && sys.ValueKind == JsonValueKind.Object)
        {
            if (sys.TryGetProperty("UtcNow", out var utcNow) && utcNow.TryGetDateTimeOffset(out var parsed))
            {
                invokedAt = parsed;
            }

            if (sys.TryGetProperty("RandGuid", out var guid) && guid.GetString() is { Length: > 0 } id)
            {
                invocationId = id;
            }
        }

        return new TimerContext(name, timer, invokedAt, invocationId);
    }
}
