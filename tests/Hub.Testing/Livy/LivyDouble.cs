using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IntegrationHub.TestDoubles.Livy;

/// <summary>
/// Apache Livy's batch API (docs/rest-api.md, and the server's SessionServlet/BatchSessionServlet for what the
/// page leaves out): <c>GET/POST /batches</c> with <c>from</c>/<c>size</c> paging, <c>GET /batches/{idOrName}</c>,
/// <c>/state</c>, <c>/log</c> (tail when <c>from</c> is absent), <c>DELETE</c> (kills and forgets), 400
/// "Rejected, Reason: Duplicate session name" for a reused name, <c>{"msg": ...}</c> errors, and the CSRF filter
/// (400 Jetty page without <c>X-Requested-By</c> on POST/DELETE) when <see cref="RequireRequestedBy"/> is on.
/// Tests drive each batch's state by hand: nothing runs.
/// </summary>
public sealed class LivyDouble : DoubleServer
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
    protected override void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            // Livy's CsrfFilter: every method but GET, OPTIONS and HEAD needs the header; Jetty answers with an HTML page.
            if (RequireRequestedBy && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method) &&
                !HttpMethods.IsHead(context.Request.Method) && !context.Request.Headers.ContainsKey("X-Requested-By"))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "text/html;charset=iso-8859-1";
                await context.Response.WriteAsync(
                    "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n<title>Error 400 </title>\n</head>\n<body>\n" +
                    $"<h2>HTTP ERROR: 400</h2>\n<p>Problem accessing {context.Request.Path}. Reason:\n<pre>    Missing Required Header for CSRF protection.</pre></p>\n" +
                    "<hr /><a href=\"http://eclipse.org/jetty\">Powered by Jetty:// 9.3.24.v20180605</a><hr/>\n</body>\n</html>\n");
                return;
            }

            await next(context);
        });

        app.MapGet("/batches", (HttpContext context) =>
        {
            var from = IntParam(context, "from") ?? 0;
            var size = IntParam(context, "size") ?? 100;
            lock (_gate)
            {
                var sessions = _batches.Values.Skip(from).Take(size).Select(View).ToList();
                return Results.Json(new { from, total = _batches.Count, sessions });
            }
        });

        app.MapPost("/batches", async (HttpContext context) =>
        {
            JsonObject? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body);
            }
            catch (JsonException e)
            {
                return Message(StatusCodes.Status400BadRequest, e.Message);
            }

            OnSubmission?.Invoke(body?["name"]?.GetValueKind() == JsonValueKind.String ? body["name"]!.GetValue<string>() : null);
            lock (_gate)
            {
                Submissions++;
                if (body is null || body["file"]?.GetValueKind() != JsonValueKind.String)
                {
                    return Message(StatusCodes.Status400BadRequest, "Rejected, Reason: requirement failed: File is required.");
                }

                var name = body["name"]?.GetValueKind() == JsonValueKind.String ? body["name"]!.GetValue<string>() : null;
                var id = _nextId++;
                if (name is not null && _batches.Values.Any(b => b.Name == name))
                {
                    return Message(StatusCodes.Status400BadRequest, $"Rejected, Reason: Duplicate session name: Some({name}) for session {id}");
                }

                var batch = new Batch(id, name, "starting");
                batch.Log.Add("stdout: ");
                batch.Log.Add("\nstderr: ");
                _batches[id] = batch;
                SubmittedBodies.Add(body);
                OnAccepted?.Invoke(id);
                context.Response.Headers.Location = $"/batches/{id}";
                return Results.Json(View(batch), statusCode: StatusCodes.Status201Created);
            }
        });

        app.MapGet("/batches/{idOrName}", (string idOrName) => WithBatch(idOrName, b => Results.Json(View(b))));

        app.MapGet("/batches/{idOrName}/state", (string idOrName) => WithBatch(idOrName, b => Results.Json(new { id = b.Id, state = b.State })));

        app.MapGet("/batches/{idOrName}/log", (string idOrName, HttpContext context) => WithBatch(idOrName, b =>
        {
            // SessionServlet.serializeLogs: size defaults to 100 (negative: all); from defaults to size lines before the end.
            var size = IntParam(context, "size") ?? 100;
            if (size < 0)
            {
                size = b.Log.Count;
            }

            var from = IntParam(context, "from") ?? -1;
            if (from < 0)
            {
                from = Math.Max(0, b.Log.Count - size);
            }

            return Results.Json(new { id = b.Id, from, total = b.Log.Count, log = b.Log.Skip(from).Take(size).ToList() });
        }));

        app.MapDelete("/batches/{idOrName}", (string idOrName) => WithBatch(idOrName, b =>
        {
            b.State = "killed";
            _batches.Remove(b.Id);
            return Results.Json(new { msg = "deleted" });
        }));
    }

    private IResult WithBatch(string idOrName, Func<Batch, IResult> action)
    {
        lock (_gate)
        {
            var batch = idOrName.All(char.IsAsciiDigit)
                ? _batches.GetValueOrDefault(long.Parse(idOrName, CultureInfo.InvariantCulture))
                : _batches.Values.FirstOrDefault(b => b.Name == idOrName);
            return batch is null ? Message(StatusCodes.Status404NotFound, $"Session '{idOrName}' not found.") : action(batch);
        }
    }

    private static int? IntParam(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var value) && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static IResult Message(int status, string msg) => Results.Json(new { msg }, statusCode: status);

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
