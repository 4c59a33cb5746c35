using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace IntegrationHub.TestDoubles.Livy;

/// <summary>
/// Apache Livy's batch API on WireMock.Net (docs/rest-api.md, and the server's SessionServlet/BatchSessionServlet for what the
/// page leaves out): <c>GET/POST /batches</c> with <c>from</c>/<c>size</c> paging, <c>GET /batches/{idOrName}</c>,
/// <c>/state</c>, <c>/log</c> (tail when <c>from</c> is absent), <c>DELETE</c> (kills and forgets), 400
/// "Rejected, Reason: Duplicate session name" for a reused name, <c>{"msg": ...}</c> errors, and the CSRF filter
/// (400 Jetty page without <c>X-Requested-By</c> on POST/DELETE) when <see cref="RequireRequestedBy"/> is on.
/// Tests drive each batch's state by hand (the stateful part lives in the double's batch table, which WireMock's
/// response callbacks read and change): nothing runs.
/// </summary>
public sealed class LivyDouble : WireMockDouble
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, Batch> _batches = [];
    private long _nextId;

    /// <summary>Livy's <c>livy.server.csrf-protection.enabled</c>: POST and DELETE need <c>X-Requested-By</c>.</summary>
    public bool RequireRequestedBy { get; set; } = true;

    /// <summary>How many <c>POST /batches</c> reached the server (accepted or not).</summary>
    public int Submissions { get; private set; }

    /// <summary>Runs when a submission arrives, before it is checked: lets a test slip in a competing batch of the same name.</summary>
    public Action<string?>? OnSubmission { get; set; }

    /// <summary>Runs when a submission has been accepted (the batch exists), before the answer is sent: lets a test crash the submitter there.</summary>
    public Action<long>? OnAccepted { get; set; }

    /// <summary>The request bodies of accepted submissions, in order.</summary>
    public List<JsonObject> SubmittedBodies { get; } = [];

    /// <summary>Starts the next id at <paramref name="id"/> (Livy numbers batches from 0 after a restart).</summary>
    public void SetNextId(long id)
    {
        lock (_gate)
        {
            _nextId = id;
        }
    }

    /// <summary>Adds a batch as if another client had submitted it.</summary>
    public long AddBatch(string? name, string state = "running")
    {
        lock (_gate)
        {
            var id = _nextId++;
            _batches[id] = new Batch(id, name, state);
            return id;
        }
    }

    /// <summary>Moves a batch to <paramref name="state"/> (<c>running</c>, <c>success</c>, <c>dead</c>, <c>killed</c>, <c>error</c>, ...).</summary>
    public void SetState(long id, string state)
    {
        lock (_gate)
        {
            _batches[id].State = state;
        }
    }

    /// <summary>Appends lines to a batch's log (what spark-submit and YARN would print).</summary>
    public void AppendLog(long id, params string[] lines)
    {
        lock (_gate)
        {
            _batches[id].Log.AddRange(lines);
        }
    }

    /// <summary>A batch's state, or <see langword="null"/> when Livy no longer knows it.</summary>
    public string? StateOf(long id)
    {
        lock (_gate)
        {
            return _batches.TryGetValue(id, out var batch) ? batch.State : null;
        }
    }

    /// <summary>The id of the batch named <paramref name="name"/>, if any.</summary>
    public long? IdOf(string name)
    {
        lock (_gate)
        {
            return _batches.Values.FirstOrDefault(b => b.Name == name)?.Id;
        }
    }

    /// <inheritdoc />
    protected override void Map(WireMockServer server)
    {
        ArgumentNullException.ThrowIfNull(server);

        // Livy's CsrfFilter: every method but GET, OPTIONS and HEAD needs the header; Jetty answers with an HTML page.
        // A WireMock mapping above the API's: POST/DELETE without X-Requested-By, while the filter is on.
        server.Given(Request.Create().UsingMethod("POST", "DELETE", "PUT", "PATCH").WithHeader("X-Requested-By", "*", MatchBehaviour.RejectOnMatch))
            .AtPriority(1)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                Record(request);
                if (!RequireRequestedBy)
                {
                    return Api(request);
                }

                return Text(
                    400,
                    "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n<title>Error 400 </title>\n</head>\n<body>\n" +
                    $"<h2>HTTP ERROR: 400</h2>\n<p>Problem accessing {request.Path}. Reason:\n<pre>    Missing Required Header for CSRF protection.</pre></p>\n" +
                    "<hr /><a href=\"http://eclipse.org/jetty\">Powered by Jetty:// 9.3.24.v20180605</a><hr/>\n</body>\n</html>\n",
                    "text/html;charset=iso-8859-1");
            }));

        Route("/batches*", ["GET", "POST", "DELETE"], Api);
    }

    /// <summary>The batch API: routes on method and path segments (<c>/batches</c>, <c>/batches/{idOrName}[/state|/log]</c>).</summary>
    private ResponseMessage Api(IRequestMessage request)
    {
        var segments = request.Path.Trim('/').Split('/');
        var query = QueryOf(request);
        return (request.Method, segments) switch
        {
            ("GET", ["batches"]) => List(query),
            ("POST", ["batches"]) => Submit(request),
            ("GET", ["batches", var idOrName]) => WithBatch(idOrName, b => Json(View(b))),
            ("GET", ["batches", var idOrName, "state"]) => WithBatch(idOrName, b => Json(new { id = b.Id, state = b.State })),
            ("GET", ["batches", var idOrName, "log"]) => WithBatch(idOrName, b => Log(b, query)),
            ("DELETE", ["batches", var idOrName]) => WithBatch(idOrName, b =>
            {
                b.State = "killed";
                _batches.Remove(b.Id);
                return Json(new { msg = "deleted" });
            }),
            _ => Text(404, "Not Found", "text/plain"),
        };
    }

    private ResponseMessage List(Dictionary<string, StringValues> query)
    {
        var from = IntParam(query, "from") ?? 0;
        var size = IntParam(query, "size") ?? 100;
        lock (_gate)
        {
            var sessions = _batches.Values.Skip(from).Take(size).Select(View).ToList();
            return Json(new { from, total = _batches.Count, sessions });
        }
    }

    private ResponseMessage Submit(IRequestMessage request)
    {
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(request.Body ?? string.Empty) as JsonObject;
        }
        catch (JsonException e)
        {
            return Message(400, e.Message);
        }

        OnSubmission?.Invoke(body?["name"]?.GetValueKind() == JsonValueKind.String ? body["name"]!.GetValue<string>() : null);
        lock (_gate)
        {
            Submissions++;
            if (body is null || body["file"]?.GetValueKind() != JsonValueKind.String)
            {
                return Message(400, "Rejected, Reason: requirement failed: File is required.");
            }

            var name = body["name"]?.GetValueKind() == JsonValueKind.String ? body["name"]!.GetValue<string>() : null;
            var id = _nextId++;
            if (name is not null && _batches.Values.Any(b => b.Name == name))
            {
                return Message(400, $"Rejected, Reason: Duplicate session name: Some({name}) for session {id}");
            }

            var batch = new Batch(id, name, "starting");
            batch.Log.Add("stdout: ");
            batch.Log.Add("\nstderr: ");
            _batches[id] = batch;
            SubmittedBodies.Add(body);
            OnAccepted?.Invoke(id);
            return Json(View(batch), 201, ("Location", $"/batches/{id}"));
        }
    }

    // SessionServlet.serializeLogs: size defaults to 100 (negative: all); from defaults to size lines before the end.
    private static ResponseMessage Log(Batch b, Dictionary<string, StringValues> query)
    {
        var size = IntParam(query, "size") ?? 100;
        if (size < 0)
        {
            size = b.Log.Count;
        }

        var from = IntParam(query, "from") ?? -1;
        if (from < 0)
        {
            from = Math.Max(0, b.Log.Count - size);
        }

        return Json(new { id = b.Id, from, total = b.Log.Count, log = b.Log.Skip(from).Take(size).ToList() });
    }

    private ResponseMessage WithBatch(string idOrName, Func<Batch, ResponseMessage> action)
    {
        idOrName = Uri.UnescapeDataString(idOrName);
        lock (_gate)
        {
            var batch = idOrName.All(char.IsAsciiDigit)
                ? _batches.GetValueOrDefault(long.Parse(idOrName, CultureInfo.InvariantCulture))
                : _batches.Values.FirstOrDefault(b => b.Name == idOrName);
            return batch is null ? Message(404, $"Session '{idOrName}' not found.") : action(batch);
        }
    }

    private static ResponseMessage Message(int status, string msg) => Json(new { msg }, status);

    // BatchSessionServlet.clientSessionView: the last 10 log lines travel with the batch.
    private static object View(Batch b) => new
    {
        id = b.Id,
        name = b.Name,
        owner = (string?)null,
        proxyUser = (string?)null,
        state = b.State,
        appId = b.State is "starting" ? null : $"application_1700000000000_{b.Id:0000}",
        appInfo = new { driverLogUrl = (string?)null, sparkUiUrl = (string?)null },
        log = b.Log.Skip(Math.Max(0, b.Log.Count - 10)).ToList(),
    };

    private sealed class Batch(long id, string? name, string state)
    {
        public long Id { get; } = id;

        public string? Name { get; } = name;

        public string State { get; set; } = state;

        public List<string> Log { get; } = [];
    }
}
