using System.Diagnostics;
using System.Globalization;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.DataContracts;

namespace IntegrationHub.Functions.Hosting.Telemetry;

/// <summary>
/// Records each request the handler serves as Application Insights request telemetry: route template
/// (not the raw path, so ids do not explode the request names), status, duration, and the W3C trace
/// context of ASP.NET Core's request activity, so logs and outgoing calls made while serving it are
/// correlated. Query strings are left out: they may carry tokens.
/// </summary>
internal sealed class RequestTelemetryMiddleware(RequestDelegate next, TelemetryClient client, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            Track(context, startedAt, time.GetElapsedTime(started), failed);
        }
    }

    private void Track(HttpContext context, DateTimeOffset startedAt, TimeSpan duration, bool failed)
    {
        var status = failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is { } pattern
            ? "/" + pattern.TrimStart('/')
            : context.Request.Path.Value ?? "/";
        var request = new RequestTelemetry
        {
            Name = $"{context.Request.Method} {route}",
            Timestamp = startedAt,
            Duration = duration,
            ResponseCode = status.ToString(CultureInfo.InvariantCulture),
            Success = status < StatusCodes.Status500InternalServerError,
            Url = new Uri($"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{context.Request.Path}"),
        };

        if (Activity.Current is { } activity)
        {
            request.Id = activity.SpanId.ToHexString();
            request.Context.Operation.Id = activity.TraceId.ToHexString();
            if (activity.ParentSpanId != default)
            {
                request.Context.Operation.ParentId = activity.ParentSpanId.ToHexString();
            }
        }

        request.Context.Operation.Name = request.Name;
        client.TrackRequest(request);
    }
}

/// <summary>Puts <see cref="RequestTelemetryMiddleware"/> first in the pipeline, only when telemetry is on.</summary>
internal sealed class RequestTelemetryStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<RequestTelemetryMiddleware>();
        next(app);
    };
}
