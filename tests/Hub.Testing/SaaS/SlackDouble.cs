using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IntegrationHub.TestDoubles.SaaS;

/// <summary>
/// Slack Web API double (https://api.slack.com/methods): <c>conversations.history</c> (newest first; <c>oldest</c>/
/// <c>latest</c> exclusive unless <c>inclusive</c>; <c>limit</c>; <c>cursor</c> with <c>has_more</c> and
/// <c>response_metadata.next_cursor</c>), <c>chat.postMessage</c> (JSON body), <c>auth.test</c>. Errors are HTTP 200
/// with <c>ok: false</c>; rate limits are HTTP 429 with <c>Retry-After</c> seconds.
/// </summary>
public sealed class SlackDouble(string token = "xoxb-test-token", TimeProvider? time = null) : SaaSDouble(time)
{
    private readonly Dictionary<string, SortedList<decimal, JsonObject>> _channels = [];
    private long _next = 1_700_000_000_000_100;

    public string Token { get; } = token;

    /// <summary>Adds a message to <paramref name="channel"/> with a new increasing ts; returns the ts.</summary>
    public string AddMessage(string channel, string text)
    {
        lock (_channels)
        {
            var ts = (_next++ / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);
            Channel(channel).Add(decimal.Parse(ts, CultureInfo.InvariantCulture), new JsonObject { ["type"] = "message", ["user"] = "U012AB3CD", ["text"] = text, ["ts"] = ts });
            return ts;
        }
    }

    /// <summary>Answers the next call of <paramref name="method"/> with 429 and <c>Retry-After: seconds</c>.</summary>
    public void RateLimitNext(string method, int seconds) =>
        Fail(method, 429, """{"ok":false,"error":"ratelimited"}""", ("Retry-After", seconds.ToString(CultureInfo.InvariantCulture)));

    protected override void MapApi(WebApplication app)
    {
        app.MapMethods("/api/conversations.history", ["GET", "POST"], (HttpRequest request) =>
        {
            if (!Authorized(request))
            {
                return Error("invalid_auth");
            }

            var q = request.Query;
            var channel = q["channel"].ToString();
            lock (_channels)
            {
                if (!_channels.TryGetValue(channel, out var messages))
                {
                    return Error("channel_not_found");
                }

                var inclusive = q["inclusive"] is var i && (i == "1" || i == "true");
                var oldest = decimal.TryParse(q["oldest"], NumberStyles.Float, CultureInfo.InvariantCulture, out var o) ? o : 0m;
                var latest = decimal.TryParse(q["latest"], NumberStyles.Float, CultureInfo.InvariantCulture, out var l) ? l : decimal.MaxValue;
                var limit = int.TryParse(q["limit"], out var n) ? Math.Clamp(n, 1, 999) : 100;
                var start = Untoken(q["cursor"]) is { } position && position.StartsWith("next_ts:", StringComparison.Ordinal)
                    ? decimal.Parse(position[8..], CultureInfo.InvariantCulture)
                    : decimal.MaxValue;
                if (q["cursor"].Count > 0 && !string.IsNullOrEmpty(q["cursor"]) && start == decimal.MaxValue)
                {
                    return Error("invalid_cursor");
                }

                var range = messages.Where(m => (inclusive ? m.Key >= oldest : m.Key > oldest) && (inclusive ? m.Key <= latest : m.Key < latest) && m.Key <= start)
                    .OrderByDescending(m => m.Key)
                    .ToList();
                var page = range.Take(limit).ToList();
                var hasMore = range.Count > limit;
                var body = new JsonObject
                {
                    ["ok"] = true,
                    ["messages"] = new JsonArray(page.Select(m => (JsonNode)m.Value.DeepClone()).ToArray()),
                    ["has_more"] = hasMore,
                    ["pin_count"] = 0,
                    ["response_metadata"] = new JsonObject { ["next_cursor"] = hasMore ? PageToken($"next_ts:{range[limit].Key.ToString(CultureInfo.InvariantCulture)}") : "" },
                };
                return Results.Text(body.ToJsonString(), "application/json; charset=utf-8");
            }
        });

        app.MapPost("/api/chat.postMessage", async (HttpRequest request) =>
        {
            if (!Authorized(request))
            {
                return Error("invalid_auth");
            }

            if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            {
                return Error("invalid_form_data");
            }

            var body = await JsonSerializer.DeserializeAsync<JsonObject>(request.Body);
            var channel = body?["channel"]?.GetValue<string>();
            var text = body?["text"]?.GetValue<string>();
            if (string.IsNullOrEmpty(channel))
            {
                return Error("channel_not_found");
            }

            if (string.IsNullOrEmpty(text))
            {
                return Error("no_text");
            }

            var ts = AddMessage(channel, text);
            return Results.Text(new JsonObject { ["ok"] = true, ["channel"] = channel, ["ts"] = ts, ["message"] = new JsonObject { ["text"] = text, ["type"] = "message", ["ts"] = ts } }.ToJsonString(), "application/json; charset=utf-8");
        });

        app.MapPost("/api/auth.test", (HttpRequest request) => Authorized(request)
            ? Results.Text("""{"ok":true,"url":"https://example.slack.com/","team":"Example","user":"hubbot","team_id":"T12345","user_id":"U12345"}""", "application/json; charset=utf-8")
            : Error("invalid_auth"));
    }

    private SortedList<decimal, JsonObject> Channel(string channel)
    {
        if (!_channels.TryGetValue(channel, out var messages))
        {
            _channels[channel] = messages = [];
        }

        return messages;
    }

    private bool Authorized(HttpRequest request) => request.Headers.Authorization.ToString() == $"Bearer {Token}";

    private static IResult Error(string error) => Results.Text(new JsonObject { ["ok"] = false, ["error"] = error }.ToJsonString(), "application/json; charset=utf-8");
}
