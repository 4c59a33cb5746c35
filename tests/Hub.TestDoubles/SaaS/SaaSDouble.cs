using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IntegrationHub.TestDoubles.SaaS;

/// <summary>
/// Base of the SaaS API doubles: the API's endpoints plus injectable faults (rate limits, 5xx), answered in
/// the shape the API documents, to the next requests whose path contains a given text.
/// </summary>
public abstract class SaaSDouble : DoubleServer
{
    private readonly ConcurrentQueue<(string PathContains, Func<HttpContext, Task> Respond)> _faults = new();
    private readonly List<(string PathContains, int[] Remaining, Func<HttpContext, Task> Respond)> _counted = [];

    protected SaaSDouble(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
    }

    /// <summary>The clock the double's rate-limit headers are computed from (the test's clock).</summary>
    public TimeProvider Time { get; }

    /// <summary>Requests whose path contains <paramref name="pathContains"/> (case-insensitive).</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string pathContains)
    {
        lock (Requests)
        {
            return Requests.Where(r => r.PathAndQuery.Contains(pathContains, StringComparison.OrdinalIgnoreCase)).ToList();
        }
    }

    /// <summary>Answers the next request to <paramref name="pathContains"/> with <paramref name="status"/>, <paramref name="headers"/> and a JSON <paramref name="body"/>.</summary>
    public void Fail(string pathContains, int status, string body, params (string Name, string Value)[] headers) =>
        _faults.Enqueue((pathContains, async context =>
        {
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers)
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(body, Encoding.UTF8);
        }));

    /// <summary>
    /// Answers the <paramref name="nth"/> request from now whose path contains <paramref name="pathContains"/> (1 = the
    /// next) with <paramref name="status"/>, <paramref name="headers"/> and a JSON <paramref name="body"/>; the ones
    /// before it are served as usual. For a fault on a later page of a read that asks from its cursor each time.
    /// </summary>
    public void FailNth(string pathContains, int nth, int status, string body, params (string Name, string Value)[] headers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nth, 1);
        lock (_counted)
        {
            _counted.Add((pathContains, [nth], Respond(status, body, headers)));
        }
    }

    private static Func<HttpContext, Task> Respond(int status, string body, (string Name, string Value)[] headers) => async context =>
    {
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body, Encoding.UTF8);
    };

    /// <summary>The epoch second <paramref name="after"/> from now on the double's clock.</summary>
    public long EpochSecondsIn(TimeSpan after) => (Time.GetUtcNow() + after).ToUnixTimeSeconds();

    /// <inheritdoc />
    protected sealed override void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            Func<HttpContext, Task>? counted = null;
            lock (_counted)
            {
                // Every counted fault this request matches counts it; the first that comes due answers it.
                for (var i = 0; i < _counted.Count; i++)
                {
                    var entry = _counted[i];
                    if (path.Contains(entry.PathContains, StringComparison.OrdinalIgnoreCase) && --entry.Remaining[0] == 0 && counted is null)
                    {
                        counted = entry.Respond;
                        _counted.RemoveAt(i--);
                    }
                }
            }

            if (counted is not null)
            {
                await counted(context);
                return;
            }

            if (_faults.TryPeek(out var fault) && path.Contains(fault.PathContains, StringComparison.OrdinalIgnoreCase) && _faults.TryDequeue(out fault))
            {
                await fault.Respond(context);
                return;
            }

            await next(context);
        });
        MapApi(app);
    }

    /// <summary>Maps the API's documented endpoints.</summary>
    protected abstract void MapApi(WebApplication app);

    /// <summary>The value of basic auth <c>user:secret</c>, or null.</summary>
    protected static (string User, string Secret)? BasicAuth(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>An opaque page token, as APIs hand them out (base64 of the position).</summary>
    protected static string PageToken(string position) => Convert.ToBase64String(Encoding.UTF8.GetBytes(position));

    /// <summary>The position inside a token from <see cref="PageToken"/>, or null when it is not one.</summary>
    protected static string? Untoken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
