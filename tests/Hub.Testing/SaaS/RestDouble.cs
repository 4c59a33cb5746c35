using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IntegrationHub.TestDoubles.SaaS;

/// <summary>
/// A typical JSON REST source for the generic connector, one endpoint per pagination style, each filtering by
/// <c>since</c> (updated_at at or after, inclusive) and ordering by (updated_at, id):
/// <c>/page/items?page=&amp;per_page=</c> → <c>{"data":{"items":[...]}}</c>; <c>/offset/items?offset=&amp;limit=</c> → a root
/// array; <c>/cursor/items?cursor=&amp;limit=</c> → <c>{"items":[...],"meta":{"next_cursor":...}}</c> (the cursor after the
/// records); <c>/link/items?per_page=&amp;page=</c> → a root array with a <c>Link: rel="next"</c> header. Also
/// <c>/redirect?to=</c> (302), <c>/slow</c> (no answer until <see cref="ReleaseGate"/>) and <c>/gated</c>, which sends the first part of its body, then waits for <see cref="ReleaseGate"/>.
/// </summary>
public sealed class RestDouble(TimeProvider? time = null) : SaaSDouble(time)
{
    private readonly List<JsonObject> _items = [];
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Adds an item; returns its id.</summary>
    public int AddItem(string name, DateTimeOffset updatedAt, bool deleted = false)
    {
        lock (_items)
        {
            var id = _items.Count + 1;
            _items.Add(new JsonObject { ["id"] = id, ["name"] = name, ["updated_at"] = Iso(updatedAt), ["deleted"] = deleted });
            return id;
        }
    }

    /// <summary>Lets <c>/gated</c> finish its body.</summary>
    public void ReleaseGate() => _gate.TrySetResult();

    protected override void MapApi(WebApplication app)
    {
        app.MapGet("/page/items", (HttpRequest request) =>
        {
            var size = Int(request, "per_page", 30);
            var page = Math.Max(1, Int(request, "page", 1));
            var items = Matching(request).Skip((page - 1) * size).Take(size);
            return Results.Text(new JsonObject { ["data"] = new JsonObject { ["items"] = Array(items) } }.ToJsonString(), "application/json");
        });

        app.MapGet("/offset/items", (HttpRequest request) =>
            Results.Text(Array(Matching(request).Skip(Int(request, "offset", 0)).Take(Int(request, "limit", 30))).ToJsonString(), "application/json"));

        app.MapGet("/cursor/items", (HttpRequest request) =>
        {
            var limit = Int(request, "limit", 30);
            var start = Untoken(request.Query["cursor"]) is { } position ? int.Parse(position, CultureInfo.InvariantCulture) : 0;
            var matching = Matching(request);
            var next = start + limit < matching.Count ? PageToken((start + limit).ToString(CultureInfo.InvariantCulture)) : null;
            var body = new JsonObject { ["items"] = Array(matching.Skip(start).Take(limit)), ["meta"] = new JsonObject { ["next_cursor"] = next } };
            return Results.Text(body.ToJsonString(), "application/json");
        });

        app.MapGet("/link/items", (HttpContext context) =>
        {
            var size = Int(context.Request, "per_page", 30);
            var page = Math.Max(1, Int(context.Request, "page", 1));
            var matching = Matching(context.Request);
            if (page * size < matching.Count)
            {
                var query = string.Join('&', context.Request.Query.Where(kv => kv.Key != "page").Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}").Append($"page={page + 1}"));
                context.Response.Headers["Link"] = $"</link/items?{query}>; rel=\"next\"";
            }

            return Results.Text(Array(matching.Skip((page - 1) * size).Take(size)).ToJsonString(), "application/json");
        });

        app.MapGet("/slow", async () =>
        {
            // Sends nothing, not even headers, until released: a hung upstream.
            await _gate.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return Results.Text("[]", "application/json");
        });

        app.MapGet("/redirect", (HttpRequest request) => Results.Redirect(request.Query["to"]!));

        app.MapGet("/gated", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            var items = Matching(context.Request);
            var half = items.Count / 2;
            await context.Response.WriteAsync("{\"data\":{\"items\":[", Encoding.UTF8);
            await context.Response.WriteAsync(string.Join(',', items.Take(half).Select(i => i.ToJsonString())), Encoding.UTF8);
            await context.Response.Body.FlushAsync();
            await _gate.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await context.Response.WriteAsync("," + string.Join(',', items.Skip(half).Select(i => i.ToJsonString())) + "]}}", Encoding.UTF8);
        });
    }

    private List<JsonObject> Matching(HttpRequest request)
    {
        DateTimeOffset? since = string.IsNullOrEmpty(request.Query["since"]) ? null : DateTimeOffset.Parse(request.Query["since"]!, CultureInfo.InvariantCulture);
        lock (_items)
        {
            return _items
                .Where(i => since is null || DateTimeOffset.Parse(i["updated_at"]!.GetValue<string>(), CultureInfo.InvariantCulture) >= since)
                .OrderBy(i => DateTimeOffset.Parse(i["updated_at"]!.GetValue<string>(), CultureInfo.InvariantCulture))
                .ThenBy(i => i["id"]!.GetValue<int>())
                .Select(i => (JsonObject)i.DeepClone())
                .ToList();
        }
    }

    private static JsonArray Array(IEnumerable<JsonObject> items) => new(items.Select(i => (JsonNode)i).ToArray());

    private static int Int(HttpRequest request, string name, int fallback) =>
        int.TryParse(request.Query[name], out var value) ? value : fallback;

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
