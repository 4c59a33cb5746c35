using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace IntegrationHub.TestDoubles;

/// <summary>
/// Base of the doubles of plain HTTP APIs (the SaaS APIs, the OAuth token endpoint, Livy): a WireMock.Net server on a
/// free loopback port. WireMock does the serving, routing (method + path mappings with priorities), request log,
/// one-shot faults (scenarios) and redirects; what depends on data a test seeds at run time (pages filtered by
/// <c>since</c>, cursors, batch states) is answered by WireMock response callbacks over the double's records.
/// The public surface is the Kestrel doubles' one: <see cref="StartAsync"/>, <see cref="BaseAddress"/>,
/// <see cref="Requests"/> and disposal.
/// </summary>
public abstract class WireMockDouble : IAsyncDisposable
{
    private const int CatchAllPriority = 1_000_000;
    private WireMockServer? _server;

    /// <summary>The double's base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>
    /// Every request the double received, in order of arrival: method, path and query, and headers (for auth-shape
    /// assertions). Recorded before the answer is computed; lock on the list to read it while requests arrive.
    /// </summary>
    public List<RecordedRequest> Requests { get; } = [];

    /// <summary>The WireMock server (after <see cref="StartAsync"/>), for tests that add mappings of their own.</summary>
    public WireMockServer Server => _server ?? throw new InvalidOperationException("Start the double first.");

    /// <summary>Whether <see cref="StartAsync"/> has run.</summary>
    protected bool Started => _server is not null;

    /// <summary>Starts the server on a free loopback port and maps the API.</summary>
    public Task StartAsync()
    {
        _server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{CosmosEmulator.FreePort()}"],
            // The callbacks read the raw body and query, exactly as the client sent them.
            DisableJsonBodyParsing = true,
            DisableDeserializeFormUrlEncoded = true,
            AllowBodyForAllHttpMethods = true,
            QueryParameterMultipleValueSupport = QueryParameterMultipleValueSupport.NoComma,
            // Requests keeps what tests assert on; WireMock's own log stays small (memory flat in long syncs).
            MaxRequestLogCount = 100,
            DoNotSaveDynamicResponseInLogEntry = true,
        });
        BaseAddress = new Uri($"http://127.0.0.1:{_server.Port}/");
        // Anything the API does not map: recorded, then 404 (what the Kestrel doubles' routing answered).
        _server.Given(Request.Create().UsingAnyMethod()).AtPriority(CatchAllPriority)
            .RespondWith(Answer(_ => Text(404, "Not Found", "text/plain")));
        Map(_server);
        return Task.CompletedTask;
    }

    /// <summary>Maps the API's endpoints onto <paramref name="server"/>.</summary>
    protected abstract void Map(WireMockServer server);

    /// <summary>Maps <paramref name="methods"/> on <paramref name="path"/> (exact, or a <c>*</c> wildcard) to <paramref name="handler"/>.</summary>
    protected void Route(string path, string[] methods, Func<IRequestMessage, ResponseMessage> handler, int priority = 10) =>
        Server.Given(Request.Create().WithPath(new WildcardMatcher(path)).UsingMethod(methods)).AtPriority(priority).RespondWith(Answer(handler));

    /// <summary>Maps <paramref name="methods"/> on <paramref name="path"/> to an asynchronous <paramref name="handler"/>.</summary>
    protected void RouteAsync(string path, string[] methods, Func<IRequestMessage, Task<ResponseMessage>> handler, int priority = 10) =>
        Server.Given(Request.Create().WithPath(new WildcardMatcher(path)).UsingMethod(methods)).AtPriority(priority)
            .RespondWith(Response.Create().WithCallback(async request =>
            {
                Record(request);
                return (IResponseMessage?)Intercept(request) ?? await handler(request);
            }));

    /// <summary>A WireMock response that records the request, then answers with <paramref name="handler"/>.</summary>
    protected IResponseBuilder Answer(Func<IRequestMessage, ResponseMessage> handler) =>
        Response.Create().WithCallback(request =>
        {
            Record(request);
            return Intercept(request) ?? handler(request);
        });

    /// <summary>An answer that replaces the API's own for <paramref name="request"/> (a counted fault), or null to let the API answer.</summary>
    protected virtual ResponseMessage? Intercept(IRequestMessage request) => null;

    /// <summary>The query as the client sent it (repeated names kept, commas not split).</summary>
    protected static Dictionary<string, StringValues> QueryOf(IRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return QueryHelpers.ParseQuery(request.RawQuery);
    }

    /// <summary>The form fields of a form-encoded body (empty when the body is not one).</summary>
    protected static Dictionary<string, StringValues> FormOf(IRequestMessage request) =>
        HasContentType(request, "application/x-www-form-urlencoded") ? QueryHelpers.ParseQuery(request.Body ?? string.Empty) : [];

    /// <summary>Whether the request's <c>Content-Type</c> starts with <paramref name="mediaType"/>.</summary>
    protected static bool HasContentType(IRequestMessage request, string mediaType) =>
        Header(request, "Content-Type")?.StartsWith(mediaType, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>A request header (values joined by commas), or null.</summary>
    protected static string? Header(IRequestMessage request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value is { } values
            ? string.Join(",", values)
            : null;
    }

    /// <summary>An integer query parameter, or null when absent or not an integer.</summary>
    protected static int? IntParam(Dictionary<string, StringValues> query, string name)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.TryGetValue(name, out var value) && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    /// <summary>A JSON answer.</summary>
    protected static ResponseMessage Json(JsonNode body, int status = 200, params (string Name, string Value)[] headers)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Text(status, body.ToJsonString(), "application/json; charset=utf-8", headers);
    }

    /// <summary>A JSON answer from an object serialized the way ASP.NET Core's <c>Results.Json</c> does (camelCase names kept as written).</summary>
    protected static ResponseMessage Json(object body, int status = 200, params (string Name, string Value)[] headers) =>
        Json(System.Text.Json.JsonSerializer.SerializeToNode(body, body.GetType(), System.Text.Json.JsonSerializerOptions.Web)!, status, headers);

    /// <summary>An answer with a text body of <paramref name="contentType"/>.</summary>
    protected static ResponseMessage Text(int status, string body, string contentType, params (string Name, string Value)[] headers)
    {
        var response = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        };
        response.AddHeader("Content-Type", contentType);
        foreach (var (name, value) in headers)
        {
            response.AddHeader(name, value);
        }

        return response;
    }

    /// <summary>An answer without a body.</summary>
    protected static ResponseMessage Status(int status, params (string Name, string Value)[] headers)
    {
        var response = new ResponseMessage { StatusCode = status };
        foreach (var (name, value) in headers)
        {
            response.AddHeader(name, value);
        }

        return response;
    }

    /// <summary>Adds <paramref name="request"/> to <see cref="Requests"/> (what <see cref="Answer"/> does first).</summary>
    protected void Record(IRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = (request.Headers ?? new Dictionary<string, WireMockList<string>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var query = string.IsNullOrEmpty(request.RawQuery) ? string.Empty : (request.RawQuery.StartsWith('?') ? request.RawQuery : "?" + request.RawQuery);
        lock (Requests)
        {
            Requests.Add(new RecordedRequest(request.Method, request.Path + query, headers));
        }
    }

    /// <summary>Stops the server.</summary>
    public ValueTask DisposeAsync()
    {
        _server?.Stop();
        _server?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
