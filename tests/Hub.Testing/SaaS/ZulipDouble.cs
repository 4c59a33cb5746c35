using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IntegrationHub.TestDoubles.SaaS;

/// <summary>
/// Zulip REST API double (https://zulip.com/api/): <c>GET /api/v1/messages</c> (<c>anchor</c> = id | oldest | newest,
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

    protected override void MapApi(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (BasicAuth(context.Request) is not { } auth || auth.User != Email || auth.Secret != ApiKey)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { result = "error", msg = "Invalid API key", code = "INVALID_API_KEY" });
                return;
            }

            context.Response.Headers["X-RateLimit-Limit"] = "200";
            context.Response.Headers["X-RateLimit-Remaining"] = "199";
            context.Response.Headers["X-RateLimit-Reset"] = EpochSecondsIn(TimeSpan.FromMinutes(1)).ToString(CultureInfo.InvariantCulture);
            await next(context);
        });

        app.MapGet("/api/v1/users/me", () => Results.Json(new { result = "success", msg = "", email = Email, full_name = "Hub Bot", user_id = 7 }));

        app.MapGet("/api/v1/messages", (HttpRequest request) =>
        {
            var q = request.Query;
            var numBefore = int.TryParse(q["num_before"], out var b) ? b : -1;
            var numAfter = int.TryParse(q["num_after"], out var a) ? a : -1;
            if (numBefore < 0 || numAfter < 0)
            {
                return Error(400, "Missing 'num_before' argument", "REQUEST_VARIABLE_MISSING");
            }

            if (numBefore + numAfter > 5000)
            {
                return Error(400, "Too many messages requested (maximum 5000).", "BAD_REQUEST");
            }

            var includeAnchor = q["include_anchor"].Count == 0 || q["include_anchor"] == "true";
            List<JsonObject> all;
            lock (_messages)
            {
                all = _messages.Where(m => Matches(m, q["narrow"].ToString())).OrderBy(m => m["id"]!.GetValue<long>()).Select(m => (JsonObject)m.DeepClone()).ToList();
            }

            var anchorText = q["anchor"].ToString();
            long anchor = anchorText switch
            {
                "oldest" => all.Count == 0 ? 0 : all[0]["id"]!.GetValue<long>(),
                "newest" => all.Count == 0 ? long.MaxValue : all[^1]["id"]!.GetValue<long>(),
                _ => long.TryParse(anchorText, out var id) ? id : -1,
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
            var body = new JsonObject
            {
                ["result"] = "success",
                ["msg"] = "",
                ["anchor"] = anchor,
                ["found_anchor"] = foundAnchor,
                ["found_oldest"] = all.Count == 0 || all.Count(m => m["id"]!.GetValue<long>() < anchor) <= numBefore,
                ["found_newest"] = afterAll.Count <= numAfter,
                ["history_limited"] = false,
                ["messages"] = new JsonArray(result.Select(m => (JsonNode)m).ToArray()),
            };
            return Results.Text(body.ToJsonString(), "application/json");
        });

        app.MapPost("/api/v1/messages", async (HttpRequest request) =>
        {
            if (!request.HasFormContentType)
            {
                return Error(400, "Missing 'type' argument", "REQUEST_VARIABLE_MISSING");
            }

            var form = await request.ReadFormAsync();
            foreach (var name in new[] { "type", "to", "content" })
            {
                if (string.IsNullOrEmpty(form[name]))
                {
                    return Error(400, $"Missing '{name}' argument", "REQUEST_VARIABLE_MISSING");
                }
            }

            if (form["type"] is var type && type != "stream" && type != "channel" && type != "direct" && type != "private")
            {
                return Error(400, "Invalid message type", "BAD_REQUEST");
            }

            var topic = form["topic"].ToString();
            if (type != "direct" && type != "private" && string.IsNullOrEmpty(topic))
            {
                return Error(400, "Missing topic", "BAD_REQUEST");
            }

            var id = AddMessage(form["to"]!, topic, form["content"]!);
            return Results.Json(new { result = "success", msg = "", id });
        });
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

    private static IResult Error(int status, string msg, string code) =>
        Results.Json(new { result = "error", msg, code }, statusCode: status);
}
