using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock;
using WireMock.Server;

namespace IntegrationHub.TestDoubles.SaaS;

/// <summary>
/// Jira Cloud REST API v3 double on WireMock.Net (https://developer.atlassian.com/cloud/jira/platform/rest/v3/): enhanced search
/// <c>GET /rest/api/3/search/jql</c> (<c>jql</c>, <c>maxResults</c> capped at 100, <c>fields</c>, <c>nextPageToken</c>;
/// answers <c>issues</c>, <c>isLast</c> and a <c>nextPageToken</c> only when more pages exist; unbounded JQL is refused),
/// <c>GET /rest/api/3/myself</c>, <c>POST /rest/api/3/issue</c> (201). Basic auth (email:API token). JQL dates are
/// minute-precision in the user's time zone (UTC here). Rate limits: 429 with <c>Retry-After</c> and <c>X-RateLimit-Reset</c>.
/// </summary>
public sealed partial class JiraDouble(string email = "bot@example.com", string apiToken = "jira-test-token", TimeProvider? time = null) : SaaSDouble(time)
{
    private readonly List<JsonObject> _issues = [];
    private int _next = 10_000;

    public string Email { get; } = email;

    public string ApiToken { get; } = apiToken;

    /// <summary>Adds an issue in <paramref name="project"/> updated at <paramref name="updated"/>; returns its id.</summary>
    public string AddIssue(string project, string summary, DateTimeOffset updated)
    {
        lock (_issues)
        {
            var id = (_next++).ToString(CultureInfo.InvariantCulture);
            var key = $"{project}-{_issues.Count(i => i["fields"]!["project"]!["key"]!.GetValue<string>() == project) + 1}";
            _issues.Add(new JsonObject
            {
                ["id"] = id,
                ["key"] = key,
                ["self"] = $"{BaseAddress}rest/api/3/issue/{id}",
                ["fields"] = new JsonObject
                {
                    ["summary"] = summary,
                    ["project"] = new JsonObject { ["key"] = project },
                    ["status"] = new JsonObject { ["name"] = "To Do" },
                    ["updated"] = Format(updated),
                    ["created"] = Format(updated),
                },
            });
            return id;
        }
    }

    /// <summary>The next search answers 429 with <c>Retry-After</c> seconds.</summary>
    public void RateLimitNext(int retryAfterSeconds) =>
        Fail("/search/jql", 429, """{"errorMessages":["Rate limit exceeded."],"errors":{}}""",
            ("Retry-After", retryAfterSeconds.ToString(CultureInfo.InvariantCulture)),
            ("X-RateLimit-Reset", (Time.GetUtcNow() + TimeSpan.FromSeconds(retryAfterSeconds)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)));

    protected override void MapApi(WireMockServer server)
    {
        Route("/rest/api/3/myself", ["GET"], request => Authorized(request, () =>
            Json(new { accountId = "5b10a2844c20165700ede21g", emailAddress = Email, displayName = "Hub Bot", active = true, timeZone = "UTC" })));
        Route("/rest/api/3/search/jql", ["GET"], request => Authorized(request, () => Search(request)));
        Route("/rest/api/3/issue", ["POST"], request => Authorized(request, () => Create(request)));
    }

    /// <summary>Basic auth email:API token, else 401 in Jira's error shape.</summary>
    private ResponseMessage Authorized(IRequestMessage request, Func<ResponseMessage> answer) =>
        BasicAuth(request) is not { } auth || auth.User != Email || auth.Secret != ApiToken
            ? Json(new { errorMessages = new[] { "You are not authenticated. Authentication required to perform this operation." }, errors = new { } }, 401)
            : answer();

    private ResponseMessage Search(IRequestMessage request)
    {
        var q = QueryOf(request);
        var jql = q.TryGetValue("jql", out var j) ? j.ToString() : string.Empty;
        var bound = UpdatedBound().Match(jql);
        if (!bound.Success && !jql.Contains("project", StringComparison.OrdinalIgnoreCase))
        {
            return Json(new { errorMessages = new[] { "Unbounded JQL queries are not allowed here. Please add a search restriction to your query." }, errors = new { } }, 400);
        }

        if (jql.Contains("ORDER BY ORDER", StringComparison.OrdinalIgnoreCase) || jql.Count(c => c == '"') % 2 == 1)
        {
            return Json(new { errorMessages = new[] { "Error in the JQL Query: Expecting either a value, list or function." }, errors = new { } }, 400);
        }

        var since = bound.Success ? DateTimeOffset.ParseExact(bound.Groups[1].Value, "yyyy/MM/dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : DateTimeOffset.MinValue;
        var project = ProjectFilter().Match(jql) is { Success: true } p ? p.Groups[1].Value : null;
        var max = IntParam(q, "maxResults") is { } m ? Math.Clamp(m, 1, 100) : 50;
        var offset = Untoken(q.TryGetValue("nextPageToken", out var t) ? t.ToString() : null) is { } position ? int.Parse(position, CultureInfo.InvariantCulture) : 0;
        var fields = (q.TryGetValue("fields", out var f) ? f.ToString() : string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);
        List<JsonObject> matching;
        lock (_issues)
        {
            matching = _issues
                .Where(i => Parse(i["fields"]!["updated"]!.GetValue<string>()) >= since)
                .Where(i => project is null || i["fields"]!["project"]!["key"]!.GetValue<string>() == project)
                .OrderBy(i => Parse(i["fields"]!["updated"]!.GetValue<string>()))
                .ThenBy(i => i["key"]!.GetValue<string>(), StringComparer.Ordinal)
                .Select(i => (JsonObject)i.DeepClone())
                .ToList();
        }

        var page = matching.Skip(offset).Take(max).Select(i =>
        {
            var all = (JsonObject)i["fields"]!;
            var selected = new JsonObject();
            foreach (var field in fields.Where(all.ContainsKey))
            {
                selected[field] = all[field]!.DeepClone();
            }

            i["fields"] = selected;
            return (JsonNode)i;
        }).ToArray();
        var body = new JsonObject { ["issues"] = new JsonArray(page), ["isLast"] = offset + max >= matching.Count };
        if (offset + max < matching.Count)
        {
            body["nextPageToken"] = PageToken((offset + max).ToString(CultureInfo.InvariantCulture));
        }

        return Json(body);
    }

    private ResponseMessage Create(IRequestMessage request)
    {
        var body = JsonNode.Parse(request.Body ?? "null") as JsonObject;
        var fields = body?["fields"] as JsonObject;
        var project = fields?["project"]?["key"]?.GetValue<string>();
        var summary = fields?["summary"]?.GetValue<string>();
        if (project is null || summary is null || fields?["issuetype"]?["name"] is null)
        {
            return Json(new { errorMessages = Array.Empty<string>(), errors = new Dictionary<string, string> { ["project"] = "valid project is required" } }, 400);
        }

        var id = AddIssue(project, summary, Time.GetUtcNow());
        string key;
        lock (_issues)
        {
            key = _issues.Single(i => i["id"]!.GetValue<string>() == id)["key"]!.GetValue<string>();
        }

        return Json(new { id, key, self = $"{BaseAddress}rest/api/3/issue/{id}" }, 201);
    }

    /// <summary>Jira's timestamp format: <c>2024-05-01T10:00:00.000+0000</c>.</summary>
    public static string Format(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000";

    private static DateTimeOffset Parse(string jira) =>
        DateTimeOffset.ParseExact(jira[..23] + "+00:00", "yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    [GeneratedRegex("updated\\s*>=\\s*\"(\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2})\"", RegexOptions.IgnoreCase)]
    private static partial Regex UpdatedBound();

    [GeneratedRegex("project\\s*=\\s*\"?([A-Z][A-Z0-9_]+)\"?", RegexOptions.IgnoreCase)]
    private static partial Regex ProjectFilter();
}
