using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using IntegrationHub.Connectors.Http;

namespace IntegrationHub.Connectors.Slack;

/// <summary>
/// Slack Web API: <c>conversations.history</c> with cursor pagination (<c>response_metadata.next_cursor</c>) and
/// <c>chat.postMessage</c>. Slack answers HTTP 200 with <c>ok: false</c> for most errors and 429 with
/// <c>Retry-After</c> when rate limited.
/// </summary>
/// <remarks>
/// History pages come newest first, so the cursor is a sweep: it keeps the watermark (<c>oldest</c>, the
/// newest ts of the last finished sweep), the lowest ts handed off in the current sweep (<c>latest</c>) and the
/// highest (<c>high</c>). Resuming mid-sweep asks for <c>oldest &lt; ts &lt; latest</c>, both bounds exclusive,
/// so nothing is lost or repeated even when Slack's own page cursor has expired; a finished sweep moves
/// <c>oldest</c> to <c>high</c>. Message ts values are unique per channel, so there are no ties.
/// </remarks>
public sealed partial class SlackConnector(ConnectorServices services) : Connector<SlackConfiguration, SlackCredential>(services)
{
    public const string ConnectorId = "slack";
    public const string MessagesStream = "messages";
    public const string SendMessage = "send_message";

    protected override ConnectorDescriptor Describe() => new()
    {
        Id = ConnectorId,
        DisplayName = "Slack",
        Category = "chat",
        Description = "Messages of a Slack channel; post messages.",
        Logo = "https://a.slack-edge.com/80588/marketing/img/meta/favicon-32.png",
        Capabilities = new ConnectorCapabilities(PollStreams: true, Actions: true, Webhooks: true),
        Streams = [new StreamDescriptor(MessagesStream, "Top-level messages of the channel.", "Sweep cursor {oldest, latest, high} over message ts (unique per channel). conversations.history does not report edits or deletions of messages already read.")],
        Actions = [ActionDescriptor.For<SlackSendMessageInput>(SendMessage, "Posts a message with chat.postMessage.")],

        // conversations.history is Tier 3: about 50 requests per minute.
        RateLimit = RateLimitDefaults.Per(TimeSpan.FromMilliseconds(1200), 1, 10),
    };

    protected override async Task<ConnectionCheck> CheckAsync(ConnectorSession<SlackConfiguration, SlackCredential> session, CancellationToken cancellationToken)
    {
        using var body = await CallAsync(session, HttpMethod.Post, "auth.test", null, cancellationToken);
        var root = body.RootElement;
        return ConnectionCheck.Success($"Slack workspace {root.GetProperty("team").GetString()} accepts the token (user {root.GetProperty("user").GetString()}).");
    }

    protected override async IAsyncEnumerable<RecordPage> ReadAsync(
        ConnectorSession<SlackConfiguration, SlackCredential> session,
        string stream,
        JsonElement? cursor,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = SweepState.From(cursor);
        string? pageCursor = null;

        // Slack's page cursor belongs to the first request's parameters: they stay fixed during this read.
        var requestLatest = state.Latest;
        while (true)
        {
            var query = $"conversations.history?channel={Uri.EscapeDataString(session.Configuration.Channel)}&limit={session.Configuration.PageSize}&inclusive=false"
                + (state.Oldest is null ? "" : $"&oldest={Uri.EscapeDataString(state.Oldest)}")
                + (requestLatest is null ? "" : $"&latest={Uri.EscapeDataString(requestLatest)}")
                + (pageCursor is null ? "" : $"&cursor={Uri.EscapeDataString(pageCursor)}");
            using var body = await CallAsync(session, HttpMethod.Get, query, null, cancellationToken);
            var root = body.RootElement;
            var records = new List<ConnectorRecord>();
            string? low = null;
            foreach (var message in root.GetProperty("messages").EnumerateArray())
            {
                var ts = message.GetProperty("ts").GetString()!;
                if (state.Oldest is not null && WatermarkCursor.Compare(ts, state.Oldest) <= 0)
                {
                    continue;
                }

                if (state.High is null || WatermarkCursor.Compare(ts, state.High) > 0)
                {
                    state.High = ts;
                }

                if (low is null || WatermarkCursor.Compare(ts, low) < 0)
                {
                    low = ts;
                }

                var version = message.TryGetProperty("edited", out var edited) && edited.TryGetProperty("ts", out var editedTs) ? editedTs.GetString() : ts;
                records.Add(new ConnectorRecord(ts, version, RecordOperation.Upsert, FromTs(ts), message.Clone()));
            }

            var hasMore = root.TryGetProperty("has_more", out var more) && more.GetBoolean() && low is not null;
            pageCursor = root.TryGetProperty("response_metadata", out var metadata) && metadata.TryGetProperty("next_cursor", out var nextCursor)
                && nextCursor.GetString() is { Length: > 0 } value ? value : null;
            if (hasMore)
            {
                state.Latest = low;
                if (pageCursor is null)
                {
                    // No page cursor: continue below the lowest ts handed off, exactly as a resume would.
                    requestLatest = low;
                }

                yield return new RecordPage(records, state.ToJson());
                continue;
            }

            // The sweep is complete: everything up to its newest message is handed off.
            state = new SweepState { Oldest = state.High ?? state.Oldest };
            yield return new RecordPage(records, state.ToJson());
            yield break;
        }
    }

    protected override async Task<JsonElement> ExecuteActionAsync(ConnectorSession<SlackConfiguration, SlackCredential> session, string action, object input, CancellationToken cancellationToken)
    {
        var message = (SlackSendMessageInput)input;
        var payload = new Dictionary<string, string> { ["channel"] = message.Channel ?? session.Configuration.Channel, ["text"] = message.Text };
        if (message.ThreadTs is not null)
        {
            payload["thread_ts"] = message.ThreadTs;
        }

        using var body = await CallAsync(session, HttpMethod.Post, "chat.postMessage", payload, cancellationToken);
        return body.RootElement.Clone();
    }

    /// <summary>Calls a Web API method; <c>ok: false</c> becomes a <see cref="ConnectorException"/> with Slack's error code.</summary>
    private static async Task<JsonDocument> CallAsync(
        ConnectorSession<SlackConfiguration, SlackCredential> session,
        HttpMethod method,
        string methodAndQuery,
        object? json,
        CancellationToken cancellationToken)
    {
        var uri = new Uri($"{session.Configuration.ApiBaseUrl.TrimEnd('/')}/{methodAndQuery}");
        using var response = await session.Http.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(method, uri);
                if (json is not null)
                {
                    request.Content = JsonContent.Create(json, mediaType: new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" });
                }

                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.Credential.BotToken);
                return request;
            },
            cancellationToken);
        var body = await session.Http.ReadJsonAsync(response, cancellationToken);
        if (body.RootElement.TryGetProperty("ok", out var ok) && ok.GetBoolean())
        {
            return body;
        }

        var error = body.RootElement.TryGetProperty("error", out var e) ? e.GetString() ?? "unknown_error" : "unknown_error";
        body.Dispose();
        throw session.Http.ApiError((int)response.StatusCode, $"{error} ({methodAndQuery.Split('?')[0]})", ErrorKind(error));
    }

    /// <summary>
    /// The kind of a Slack <c>ok: false</c> error code. Slack answers these with HTTP 200, so the status says nothing.
    /// Token and account errors (https://api.slack.com/web#errors, https://api.slack.com/methods/conversations.history#errors)
    /// are <see cref="ConnectorErrorKind.Authentication"/>; <c>ratelimited</c>, <c>internal_error</c>, <c>fatal_error</c>,
    /// <c>service_unavailable</c>, <c>request_timeout</c> and <c>invalid_cursor</c> (the next read starts from the stored sweep,
    /// without Slack's page cursor) are <see cref="ConnectorErrorKind.Transient"/>; every other code (<c>channel_not_found</c>,
    /// <c>not_in_channel</c>, ...) is <see cref="ConnectorErrorKind.Request"/>.
    /// </summary>
    public static ConnectorErrorKind ErrorKind(string error) => error switch
    {
        "not_authed" or "invalid_auth" or "account_inactive" or "token_revoked" or "token_expired" or "no_permission"
            or "missing_scope" or "not_allowed_token_type" or "org_login_required" or "ekm_access_denied"
            or "team_access_not_granted" or "access_denied" or "two_factor_setup_required" or "enterprise_is_restricted" => ConnectorErrorKind.Authentication,
        "ratelimited" or "internal_error" or "fatal_error" or "service_unavailable" or "request_timeout" or "invalid_cursor" => ConnectorErrorKind.Transient,
        _ => ConnectorErrorKind.Request,
    };

    private static DateTimeOffset? FromTs(string ts) =>
        decimal.TryParse(ts, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
            : null;

    private sealed class SweepState
    {
        public string? Oldest { get; set; }

        public string? Latest { get; set; }

        public string? High { get; set; }

        public static SweepState From(JsonElement? cursor) => cursor is { } c
            ? new SweepState { Oldest = Read(c, "oldest"), Latest = Read(c, "latest"), High = Read(c, "high") }
            : new SweepState();

        public JsonElement ToJson() => JsonSerializer.SerializeToElement(new { oldest = Oldest, latest = Latest, high = High });

        private static string? Read(JsonElement cursor, string name) =>
            cursor.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
