using System.Globalization;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Server;

namespace IntegrationHub.TestDoubles.SaaS;

/// <summary>
/// Slack Web API double on WireMock.Net (https://api.slack.com/methods): <c>conversations.history</c> (newest first; <c>oldest</c>/
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

    protected override void MapApi(WireMockServer server)
    {
        Route("/api/conversations.history", ["GET", "POST"], request =>
        {
            if (!Authorized(request))
            {
                return Error("invalid_auth");
            }

            var q = QueryOf(request);
            foreach (var (name, value) in FormOf(request))
            {
                q.TryAdd(name, value);
            }

            string Param(string name) => q.TryGetValue(name, out var value) ? value.ToString() : string.Empty;
            var channel = Param("channel");
            lock (_channels)
            {
                if (!_channels.TryGetValue(channel, out var messages))
                {
                    return Error("channel_not_found");
                }

                var inclusive = Param("inclusive") is "1" or "true";
                var oldest = decimal.TryParse(Param("oldest"), NumberStyles.Float, CultureInfo.InvariantCulture, out var o) ? o : 0m;
                var latest = decimal.TryParse(Param("latest"), NumberStyles.Float, CultureInfo.InvariantCulture, out var l) ? l : decimal.MaxValue;
                var limit = int.TryParse(Param("limit"), out var n) ? Math.Clamp(n, 1, 999) : 100;
                var cursor = Param("cursor");
                var start = Untoken(cursor) is { } position && position.StartsWith("next_ts:", StringComparison.Ordinal)
                    ? decimal.Parse(position[8..], CultureInfo.InvariantCulture)
                    : decimal.MaxValue;
                if (!string.IsNullOrEmpty(cursor) && start == decimal.MaxValue)
                {
                    return Error("invalid_cursor");
                }

                var range = messages.Where(m => (inclusive ? m.Key >= oldest : m.Key > oldest) && (inclusive ? m.Key <= latest : m.Key < latest) && m.Key <= start)
                    .OrderByDescending(m => m.Key)
                    .ToList();
                var page = range.Take(limit).ToList();
                var hasMore = range.Count > limit;
                return Json(new JsonObject
                {
                    ["ok"] = true,
                    ["messages"] = new JsonArray(page.Select(m => (JsonNode)m.Value.DeepClone()).ToArray()),
                    ["has_more"] = hasMore,
                    ["pin_count"] = 0,
                    ["response_metadata"] = new JsonObject { ["next_cursor"] = hasMore ? PageToken($"next_ts:{range[limit].Key.ToString(CultureInfo.InvariantCulture)}") : "" },
                });
            }
        });

        Route("/api/chat.postMessage", ["POST"], request =>
        {
            if (!Authorized(request))
            {
                return Error("invalid_auth");
            }

            if (!HasContentType(request, "application/json"))
            {
                return Error("invalid_form_data");
            }

            var body = JsonNode.Parse(request.Body ?? "null") as JsonObject;
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
            return Json(new JsonObject { ["ok"] = true, ["channel"] = channel, ["ts"] = ts, ["message"] = new JsonObject { ["text"] = text, ["type"] = "message", ["ts"] = ts } });
        });

        Route("/api/auth.test", ["POST"], request => Authorized(request)
            ? Text(200, """{"ok":true,"url":"https://example.slack.com/","team":"Example","user":"hubbot","team_id":"T12345","user_id":"U12345"}""", "application/json; charset=utf-8")
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

    private bool Authorized(IRequestMessage request) => Header(request, "Authorization") == $"Bearer {Token}";

    private static ResponseMessage Error(string error) => Json(new JsonObject { ["ok"] = false, ["error"] = error });
}
