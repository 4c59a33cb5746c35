using System.Globalization;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Server;

namespace IntegrationHub.TestDoubles.SaaS;

/// <summary>
/// Zulip REST API double on WireMock.Net (https://zulip.com/api/): <c>GET /api/v1/messages</c> (<c>anchor</c> = id | oldest | newest,
/// <c>include_anchor</c>, <c>num_before</c>, <c>num_after</c> ≤ 5000, <c>narrow</c> as JSON with channel/stream/topic
/// operators; answers <c>found_anchor</c>/<c>found_oldest</c>/<c>found_newest</c>), <c>POST /api/v1/messages</c>
/// (form-encoded), <c>GET /api/v1/users/me</c>. Basic auth email:API key. Errors: <c>{"result":"error","msg",
/// "code"}</c>; rate limits 429 with <c>Retry-After</c>, <c>X-RateLimit-Limit/Remaining/Reset</c> and
/// <c>code: RATE_LIMIT_HIT</c>.
/// </summary>
public sealed class ZulipDouble(string email = "bot@example.zulipchat.com", string apiKey = "zulip-test-key", TimeProvider? time = null) : SaaSDouble(time)
{
    private readonly List<JsonObject> _messages = [];
    private long _next = 100;

    public string Email { get; } = email;

    public string ApiKey { get; } = apiKey;

    /// <summary>Adds a channel message; returns its id.</summary>
    public long AddMessage(string channel, string topic, string content)
    {
        lock (_messages)
        {
            var id = _next;
            _next += 3;
            _messages.Add(new JsonObject
            {
                ["id"] = id,
                ["type"] = "stream",
                ["display_recipient"] = channel,
                ["subject"] = topic,
                ["content"] = content,
                ["sender_email"] = "someone@example.com",
                ["sender_full_name"] = "Someone",
                ["timestamp"] = Time.GetUtcNow().ToUnixTimeSeconds(),
            });
            return id;
        }
    }

    /// <summary>The next request to <paramref name="pathContains"/> answers 429 as Zulip documents it.</summary>
    public void RateLimitNext(string pathContains, int retryAfterSeconds) =>
        Fail(pathContains, 429, $$"""{"result":"error","msg":"API usage exceeded rate limit","retry-after":{{retryAfterSeconds}}.0,"code":"RATE_LIMIT_HIT"}""",
            ("Retry-After", retryAfterSeconds.ToString(CultureInfo.InvariantCulture)),
            ("X-RateLimit-Limit", "200"), ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", EpochSecondsIn(TimeSpan.FromSeconds(retryAfterSeconds)).ToString(CultureInfo.InvariantCulture)));

    protected override void MapApi(WireMockServer server)
    {
        Route("/api/v1/users/me", ["GET"], request => Authorized(request, () => Json(new { result = "success", msg = "", email = Email, full_name = "Hub Bot", user_id = 7 })));
        Route("/api/v1/messages", ["GET"], request => Authorized(request, () => Read(request)));
        Route("/api/v1/messages", ["POST"], request => Authorized(request, () => Send(request)));
    }

    /// <summary>Basic auth email:API key, else 401; every authenticated answer carries Zulip's rate-limit headers.</summary>
    private ResponseMessage Authorized(IRequestMessage request, Func<ResponseMessage> answer)
    {
        if (BasicAuth(request) is not { } auth || auth.User != Email || auth.Secret != ApiKey)
        {
            return Json(new { result = "error", msg = "Invalid API key", code = "INVALID_API_KEY" }, 401);
        }

        var response = answer();
        response.AddHeader("X-RateLimit-Limit", "200");
        response.AddHeader("X-RateLimit-Remaining", "199");
        response.AddHeader("X-RateLimit-Reset", EpochSecondsIn(TimeSpan.FromMinutes(1)).ToString(CultureInfo.InvariantCulture));
        return response;
    }

    private ResponseMessage Read(IRequestMessage request)
    {
        var q = QueryOf(request);
        string Param(string name) => q.TryGetValue(name, out var value) ? value.ToString() : string.Empty;
        var numBefore = IntParam(q, "num_before") ?? -1;
        var numAfter = IntParam(q, "num_after") ?? -1;
        if (numBefore < 0 || numAfter < 0)
        {
            return Error(400, "Missing 'num_before' argument", "REQUEST_VARIABLE_MISSING");
        }

        if (numBefore + numAfter > 5000)
        {
            return Error(400, "Too many messages requested (maximum 5000).", "BAD_REQUEST");
        }

        var includeAnchor = !q.ContainsKey("include_anchor") || Param("include_anchor") == "true";
        List<JsonObject> all;
        lock (_messages)
        {
            all = _messages.Where(m => Matches(m, Param("narrow"))).OrderBy(m => m["id"]!.GetValue<long>()).Select(m => (JsonObject)m.DeepClone()).ToList();
        }

        long anchor = Param("anchor") switch
        {
            "oldest" => all.Count == 0 ? 0 : all[0]["id"]!.GetValue<long>(),
            "newest" => all.Count == 0 ? long.MaxValue : all[^1]["id"]!.GetValue<long>(),
            var text => long.TryParse(text, out var id) ? id : -1,
        };
        if (anchor < 0)
        {
            return Error(400, "Invalid anchor", "BAD_REQUEST");
        }

        var foundAnchor = all.Any(m => m["id"]!.GetValue<long>() == anchor);
        var before = all.Where(m => m["id"]!.GetValue<long>() < anchor).TakeLast(numBefore);
        var at = all.Where(m => includeAnchor && m["id"]!.GetValue<long>() == anchor);
        var afterAll = all.Where(m => m["id"]!.GetValue<long>() > anchor).ToList();
        var after = afterAll.Take(numAfter);
        var result = before.Concat(at).Concat(after).ToList();
        return Json(new JsonObject
        {
            ["result"] = "success",
            ["msg"] = "",
            ["anchor"] = anchor,
            ["found_anchor"] = foundAnchor,
            ["found_oldest"] = all.Count == 0 || all.Count(m => m["id"]!.GetValue<long>() < anchor) <= numBefore,
            ["found_newest"] = afterAll.Count <= numAfter,
            ["history_limited"] = false,
            ["messages"] = new JsonArray(result.Select(m => (JsonNode)m).ToArray()),
        });
    }

    private ResponseMessage Send(IRequestMessage request)
    {
        if (!HasContentType(request, "application/x-www-form-urlencoded"))
        {
            return Error(400, "Missing 'type' argument", "REQUEST_VARIABLE_MISSING");
        }

        var form = FormOf(request);
        string Field(string name) => form.TryGetValue(name, out var value) ? value.ToString() : string.Empty;
        foreach (var name in new[] { "type", "to", "content" })
        {
            if (string.IsNullOrEmpty(Field(name)))
            {
                return Error(400, $"Missing '{name}' argument", "REQUEST_VARIABLE_MISSING");
            }
        }

        var type = Field("type");
        if (type is not ("stream" or "channel" or "direct" or "private"))
        {
            return Error(400, "Invalid message type", "BAD_REQUEST");
        }

        var topic = Field("topic");
        if (type is not ("direct" or "private") && string.IsNullOrEmpty(topic))
        {
            return Error(400, "Missing topic", "BAD_REQUEST");
        }

        var id = AddMessage(Field("to"), topic, Field("content"));
        return Json(new { result = "success", msg = "", id });
    }

    private static bool Matches(JsonObject message, string narrow)
    {
        if (string.IsNullOrEmpty(narrow))
        {
            return true;
        }

        foreach (var term in JsonNode.Parse(narrow)!.AsArray())
        {
            var (op, operand, negated) = term is JsonArray pair
                ? (pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>(), false)
                : (term!["operator"]!.GetValue<string>(), term["operand"]!.GetValue<string>(), term["negated"]?.GetValue<bool>() ?? false);
            var match = op switch
            {
                "channel" or "stream" => message["display_recipient"]!.GetValue<string>() == operand,
                "topic" => message["subject"]!.GetValue<string>() == operand,
                "search" => message["content"]!.GetValue<string>().Contains(operand, StringComparison.OrdinalIgnoreCase),
                _ => true,
            };
            if (match == negated)
            {
                return false;
            }
        }

        return true;
    }

    private static ResponseMessage Error(int status, string msg, string code) => Json(new { result = "error", msg, code }, status);
}
