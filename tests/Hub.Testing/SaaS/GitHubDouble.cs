using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Server;

namespace IntegrationHub.TestDoubles.SaaS;

/// <summary>
/// GitHub REST API double on WireMock.Net (https://docs.github.com/rest): <c>GET /repos/{owner}/{repo}</c>, issues and issue comments
/// with <c>since</c> (updated at or after), <c>sort=updated</c>, <c>direction</c>, <c>per_page</c> (max 100) and
/// <c>page</c>, paged through the <c>Link</c> header; <c>POST .../issues/{n}/comments</c> (201). Every answer carries
/// <c>x-ratelimit-limit/remaining/used/reset/resource</c>. Primary limits are 403 with <c>x-ratelimit-remaining: 0</c>;
/// secondary limits 403 or 429 with <c>retry-after</c>.
/// </summary>
public sealed class GitHubDouble(string owner = "octo", string repository = "hub", string token = "ghp_test_token", TimeProvider? time = null) : SaaSDouble(time)
{
    private readonly List<JsonObject> _issues = [];
    private readonly List<JsonObject> _comments = [];
    private long _nextId = 1000;
    private int _remaining = 5000;
    private StrongBox<TimeSpan>? _exhaustNext;

    public string Token { get; } = token;

    /// <summary>Adds an issue updated at <paramref name="updatedAt"/>; returns its id.</summary>
    public long AddIssue(string title, DateTimeOffset updatedAt)
    {
        lock (_issues)
        {
            var id = _nextId++;
            _issues.Add(new JsonObject
            {
                ["id"] = id,
                ["number"] = _issues.Count + 1,
                ["title"] = title,
                ["state"] = "open",
                ["created_at"] = Iso(updatedAt),
                ["updated_at"] = Iso(updatedAt),
            });
            return id;
        }
    }

    /// <summary>Changes an issue's title and update time, as an edit on GitHub would.</summary>
    public void UpdateIssue(long id, string title, DateTimeOffset updatedAt)
    {
        lock (_issues)
        {
            var issue = _issues.Single(i => i["id"]!.GetValue<long>() == id);
            issue["title"] = title;
            issue["updated_at"] = Iso(updatedAt);
        }
    }

    /// <summary>The primary limit: the next request answers 403 with <c>x-ratelimit-remaining: 0</c> and a reset <paramref name="resetIn"/> from now.</summary>
    public void PrimaryLimitNext(string pathContains, TimeSpan resetIn) =>
        Fail(pathContains, 403, """{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}""",
            ("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-used", "5000"),
            ("x-ratelimit-reset", EpochSecondsIn(resetIn).ToString(CultureInfo.InvariantCulture)), ("x-ratelimit-resource", "core"));

    /// <summary>A secondary limit: the next request answers <paramref name="status"/> (403 or 429) with <c>retry-after</c>.</summary>
    public void SecondaryLimitNext(string pathContains, int status, int retryAfterSeconds) =>
        Fail(pathContains, status, """{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}""",
            ("retry-after", retryAfterSeconds.ToString(CultureInfo.InvariantCulture)), ("x-ratelimit-remaining", "4000"));

    /// <summary>The next successful answer spends the last request of the hour: <c>x-ratelimit-remaining: 0</c>, reset in <paramref name="resetIn"/>.</summary>
    public void ExhaustQuotaOnNextResponse(TimeSpan resetIn) => Volatile.Write(ref _exhaustNext, new StrongBox<TimeSpan>(resetIn));

    protected override void MapApi(WireMockServer server)
    {
        var repo = $"/repos/{owner}/{repository}";
        Route(repo, ["GET"], request => Authorized(request, () => Json(new { id = 1, name = repository, full_name = $"{owner}/{repository}", @private = false })));
        Route(repo + "/issues", ["GET"], request => Authorized(request, () => List(request, _issues)));
        Route(repo + "/issues/comments", ["GET"], request => Authorized(request, () => List(request, _comments)));
        Route(repo + "/issues/*/comments", ["POST"], request => Authorized(request, () => Comment(request)));
    }

    /// <summary>Bad credentials are 401; every authenticated answer carries the rate-limit headers (one request spent).</summary>
    private ResponseMessage Authorized(IRequestMessage request, Func<ResponseMessage> answer)
    {
        var header = Header(request, "Authorization");
        if (header != $"Bearer {Token}" && header != $"token {Token}")
        {
            return Json(new { message = "Bad credentials", documentation_url = "https://docs.github.com/rest", status = "401" }, 401);
        }

        var remaining = Interlocked.Decrement(ref _remaining);
        var reset = TimeSpan.FromHours(1);
        if (Interlocked.Exchange(ref _exhaustNext, null) is { } exhausted)
        {
            remaining = 0;
            reset = exhausted.Value;
        }

        var response = answer();
        response.AddHeader("x-ratelimit-limit", "5000");
        response.AddHeader("x-ratelimit-remaining", remaining.ToString(CultureInfo.InvariantCulture));
        response.AddHeader("x-ratelimit-used", (5000 - remaining).ToString(CultureInfo.InvariantCulture));
        response.AddHeader("x-ratelimit-reset", EpochSecondsIn(reset).ToString(CultureInfo.InvariantCulture));
        response.AddHeader("x-ratelimit-resource", "core");
        return response;
    }

    private ResponseMessage Comment(IRequestMessage request)
    {
        var number = int.TryParse(request.Path.Split('/')[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
        JsonObject? body;
        try
        {
            body = string.IsNullOrEmpty(request.Body) ? null : JsonNode.Parse(request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return Json(new { message = "Problems parsing JSON", status = "400" }, 400);
        }

        lock (_issues)
        {
            if (!_issues.Any(i => i["number"]!.GetValue<int>() == number))
            {
                return Json(new { message = "Not Found", documentation_url = "https://docs.github.com/rest/issues/comments#create-an-issue-comment", status = "404" }, 404);
            }

            if (body?["body"]?.GetValue<string>() is not { Length: > 0 } text)
            {
                return Json(new { message = "Invalid request.\n\n\"body\" wasn't supplied.", status = "422" }, 422);
            }

            var now = Iso(Time.GetUtcNow());
            var comment = new JsonObject { ["id"] = _nextId++, ["body"] = text, ["issue_url"] = $"{BaseAddress}repos/{owner}/{repository}/issues/{number}", ["created_at"] = now, ["updated_at"] = now };
            _comments.Add(comment);
            return Json(comment, 201);
        }
    }

    /// <summary>A list page: <c>since</c>, <c>direction</c>, <c>per_page</c> (max 100), <c>page</c>, and the <c>Link</c> header.</summary>
    private ResponseMessage List(IRequestMessage request, List<JsonObject> items)
    {
        var q = QueryOf(request);
        var perPage = IntParam(q, "per_page") is { } pp ? Math.Clamp(pp, 1, 100) : 30;
        var page = IntParam(q, "page") is { } p ? Math.Max(1, p) : 1;
        DateTimeOffset? since = q.TryGetValue("since", out var s) ? DateTimeOffset.Parse(s!, CultureInfo.InvariantCulture) : null;
        var ascending = q.TryGetValue("direction", out var d) && d == "asc";
        List<JsonObject> matching;
        lock (_issues)
        {
            var filtered = items.Where(i => since is null || DateTimeOffset.Parse(i["updated_at"]!.GetValue<string>(), CultureInfo.InvariantCulture) >= since);
            var key = (JsonObject i) => DateTimeOffset.Parse(i["updated_at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            matching = (ascending ? filtered.OrderBy(key) : filtered.OrderByDescending(key)).ThenBy(i => i["id"]!.GetValue<long>()).Select(i => (JsonObject)i.DeepClone()).ToList();
        }

        var last = Math.Max(1, (matching.Count + perPage - 1) / perPage);
        var links = new List<string>();
        string PageUri(int n)
        {
            var query = string.Join('&', q.Where(kv => kv.Key != "page").Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}").Append($"page={n}"));
            return $"<{BaseAddress.ToString().TrimEnd('/')}{request.Path}?{query}>";
        }

        if (page < last)
        {
            links.Add($"{PageUri(page + 1)}; rel=\"next\"");
            links.Add($"{PageUri(last)}; rel=\"last\"");
        }

        if (page > 1)
        {
            links.Add($"{PageUri(1)}; rel=\"first\"");
            links.Add($"{PageUri(page - 1)}; rel=\"prev\"");
        }

        var response = Json(new JsonArray(matching.Skip((page - 1) * perPage).Take(perPage).Select(i => (JsonNode)i).ToArray()));
        if (links.Count > 0)
        {
            response.AddHeader("Link", string.Join(", ", links));
        }

        return response;
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
