using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace IntegrationHub.Connectors.Tests;

/// <summary>
/// A WireMock.Net server on loopback answering scripted JSON: plain HTTP behaviour (pages that never advance,
/// capped page sizes, 200 bodies carrying an API error, redirects) that the protocol doubles do not produce.
/// </summary>
internal sealed class ScriptedApi : IDisposable
{
    public WireMockServer Server { get; } = WireMockServer.Start();

    /// <summary>The base URL on 127.0.0.1 (the harness allows that host); another instance is another origin (another port).</summary>
    public string Url => $"http://127.0.0.1:{Server.Port}";

    /// <summary>Answers any method on <paramref name="path"/> (and, when given, only with the query <paramref name="parameters"/>) with a JSON <paramref name="body"/>; the lowest <paramref name="priority"/> wins.</summary>
    public void Json(string path, string body, int status = 200, (string Name, string Value)[]? parameters = null, int priority = 10, params (string Name, string Value)[] headers)
    {
        var request = Request.Create().WithPath(path).UsingAnyMethod();
        foreach (var (name, value) in parameters ?? [])
        {
            request = request.WithParam(name, value);
        }

        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        Server.Given(request).AtPriority(priority).RespondWith(response);
    }

    /// <summary>Answers every request whose path matches <paramref name="pathPattern"/> (wildcards) with a redirect to <paramref name="location"/>.</summary>
    public void Redirect(string pathPattern, string location, int status = 302, params (string Name, string Value)[] headers)
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Location", location);
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        Server.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher(pathPattern)).UsingAnyMethod()).AtPriority(1).RespondWith(response);
    }

    /// <summary>The requests received, oldest first, optionally only those whose path is <paramref name="path"/>.</summary>
    public IReadOnlyList<IRequestMessage> Requests(string? path = null) =>
        Server.LogEntries.Select(e => e.RequestMessage).Where(r => path is null || r.Path == path).OrderBy(r => r.DateTime).ToList();

    /// <summary>The value of query parameter <paramref name="name"/> of <paramref name="request"/>, or null.</summary>
    public static string? Query(IRequestMessage request, string name) =>
        request.Query is { } query && query.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => Server.Stop();
}
