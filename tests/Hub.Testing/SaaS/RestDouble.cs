using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace IntegrationHub.TestDoubles.SaaS;

/// <summary>
/// A typical JSON REST source for the generic connector, on WireMock.Net, one endpoint per pagination style, each filtering by
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

    protected override void MapApi(WireMockServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        Route("/page/items", ["GET"], request =>
        {
            var q = QueryOf(request);
            var size = IntParam(q, "per_page") ?? 30;
            var page = Math.Max(1, IntParam(q, "page") ?? 1);
            return Json(new JsonObject { ["data"] = new JsonObject { ["items"] = Array(Matching(q).Skip((page - 1) * size).Take(size)) } });
        });

        Route("/offset/items", ["GET"], request =>
        {
            var q = QueryOf(request);
            return Json(Array(Matching(q).Skip(IntParam(q, "offset") ?? 0).Take(IntParam(q, "limit") ?? 30)));
        });

        Route("/cursor/items", ["GET"], request =>
        {
            var q = QueryOf(request);
            var limit = IntParam(q, "limit") ?? 30;
            var start = Untoken(q.TryGetValue("cursor", out var c) ? c.ToString() : null) is { } position ? int.Parse(position, CultureInfo.InvariantCulture) : 0;
            var matching = Matching(q);
            var next = start + limit < matching.Count ? PageToken((start + limit).ToString(CultureInfo.InvariantCulture)) : null;
            return Json(new JsonObject { ["items"] = Array(matching.Skip(start).Take(limit)), ["meta"] = new JsonObject { ["next_cursor"] = next } });
        });

        Route("/link/items", ["GET"], request =>
        {
            var q = QueryOf(request);
            var size = IntParam(q, "per_page") ?? 30;
            var page = Math.Max(1, IntParam(q, "page") ?? 1);
            var matching = Matching(q);
            var response = Json(Array(matching.Skip((page - 1) * size).Take(size)));
            if (page * size < matching.Count)
            {
                var query = string.Join('&', q.Where(kv => kv.Key != "page").Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}").Append($"page={page + 1}"));
                response.AddHeader("Link", $"</link/items?{query}>; rel=\"next\"");
            }

            return response;
        });

        // A hung upstream: not even headers until released (an asynchronous WireMock callback that waits).
        RouteAsync("/slow", ["GET"], async _ =>
        {
            await _gate.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return Json(new JsonArray());
        });

        // A redirect to the URL in ?to= (WireMock answers the 302 with the Location it is given).
        Route("/redirect", ["GET"], request => Status(302, ("Location", QueryOf(request).TryGetValue("to", out var to) ? to.ToString() : "/")));

        // Half a body, then nothing until released: WireMock's streamed (server-sent) body writes each piece as it is queued.
        server.Given(Request.Create().WithPath("/gated").UsingGet()).AtPriority(10).RespondWith(Response.Create()
            .WithHeader("Content-Type", "application/json")
            .WithSseBody(
                async (request, body) =>
                {
                    Record(request);
                    var items = Matching(QueryOf(request));
                    var half = items.Count / 2;
                    body.Write("{\"data\":{\"items\":[" + string.Join(',', items.Take(half).Select(i => i.ToJsonString())));
                    await _gate.Task.WaitAsync(TimeSpan.FromSeconds(30));
                    body.Write("," + string.Join(',', items.Skip(half).Select(i => i.ToJsonString())) + "]}}");
                    body.Close();
                },
                TimeSpan.FromSeconds(30)));
    }

    private List<JsonObject> Matching(Dictionary<string, StringValues> query)
    {
        DateTimeOffset? since = query.TryGetValue("since", out var s) && !string.IsNullOrEmpty(s) ? DateTimeOffset.Parse(s!, CultureInfo.InvariantCulture) : null;
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

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
