using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace IntegrationHub.Connectors.Zulip;

/// <summary>
/// Zulip REST API: <c>GET /api/v1/messages</c> from an anchor (<c>anchor</c>, <c>num_before=0</c>,
/// <c>num_after</c>, <c>narrow</c>, <c>include_anchor=false</c>) until <c>found_newest</c>, and
/// <c>POST /api/v1/messages</c> to send. Basic auth with email and API key; 429 with <c>Retry-After</c> and
/// <c>X-RateLimit-*</c>. Message ids only grow, so the cursor is the last id handed off.
/// </summary>
public sealed partial class ZulipConnector(ConnectorServices services) : Connector<ZulipConfiguration, ZulipCredential>(services)
{
    public const string ConnectorId = "zulip";
    public const string MessagesStream = "messages";
    public const string SendMessage = "send_message";

    protected override ConnectorDescriptor Describe() => new()
    {
        Id = ConnectorId,
        DisplayName = "Zulip",
        Category = "chat",
        Description = "Messages of Zulip channels and narrows since an anchor; send messages. Zulip Cloud or self-hosted.",
        Logo = "https://zulip.com/static/images/logo/zulip-icon-128x128.png",
        Capabilities = new ConnectorCapabilities(PollStreams: true, Actions: true, Webhooks: true),
        Streams = [new StreamDescriptor(MessagesStream, "Messages matching the narrow, oldest first.", "Cursor {\"anchor\": id}: the last message id handed off (ids are unique and increasing). Edits and deletions of messages already read are not reported by this endpoint.")],
        Actions = [ActionDescriptor.For<ZulipSendMessageInput>(SendMessage, "Sends a channel or direct message.")],

        // Zulip's default limit is 200 requests per minute per user.
        RateLimit = RateLimitDefaults.Per(TimeSpan.FromMilliseconds(300), 1, 20),
    };

    protected override async Task<ConnectionCheck> CheckAsync(ConnectorSession<ZulipConfiguration, ZulipCredential> session, CancellationToken cancellationToken)
    {
        using var body = await CallAsync(session, () => new HttpRequestMessage(HttpMethod.Get, ApiUri(session.Configuration, "users/me")), cancellationToken);
        return ConnectionCheck.Success($"Zulip accepts the key of {body.RootElement.GetProperty("full_name").GetString()}.");
    }

    protected override async IAsyncEnumerable<RecordPage> ReadAsync(
        ConnectorSession<ZulipConfiguration, ZulipCredential> session,
        string stream,
        JsonElement? cursor,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var configuration = session.Configuration;
        long? anchor = cursor is { } c && c.TryGetProperty("anchor", out var a) && a.TryGetInt64(out var id) ? id : null;
        var narrow = JsonSerializer.Serialize(configuration.Narrow.Select(t => new { @operator = t.Operator, operand = t.Operand, negated = t.Negated }));
        while (true)
        {
            var query = $"messages?anchor={(anchor is { } at ? at.ToString(CultureInfo.InvariantCulture) : "oldest")}"
                + $"&include_anchor={(anchor is null ? "true" : "false")}&num_before=0&num_after={configuration.PageSize}"
                + $"&narrow={Uri.EscapeDataString(narrow)}&apply_markdown=false";
            var uri = ApiUri(configuration, query);
            using var body = await CallAsync(session, () => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken);
            var root = body.RootElement;
            var records = new List<ConnectorRecord>();
            var messages = root.GetProperty("messages");
            foreach (var message in messages.EnumerateArray())
            {
                var messageId = message.GetProperty("id").GetInt64();
                if (anchor is { } last && messageId <= last)
                {
                    continue;
                }

                anchor = messageId;
                var timestamp = message.TryGetProperty("timestamp", out var ts) ? DateTimeOffset.FromUnixTimeSeconds(ts.GetInt64()) : (DateTimeOffset?)null;
                var version = message.TryGetProperty("last_edit_timestamp", out var edited) ? edited.GetInt64().ToString(CultureInfo.InvariantCulture) : null;
                records.Add(new ConnectorRecord(messageId.ToString(CultureInfo.InvariantCulture), version, RecordOperation.Upsert, timestamp, message.Clone()));
            }

            // The end of data is what Zulip says: found_newest, or no message at all after the anchor. A page shorter
            // than num_after is not the end (the server caps num_after); a page of only old messages reads on, and if
            // the anchor did not move the next request repeats this one and fails as pagination that does not advance.
            var foundNewest = root.TryGetProperty("found_newest", out var newest) && newest.GetBoolean();
            var end = foundNewest || messages.GetArrayLength() == 0;
            var state = anchor is { } position ? JsonSerializer.SerializeToElement(new { anchor = position }) : JsonSerializer.SerializeToElement(new { });
            if (records.Count > 0 || end)
            {
                yield return new RecordPage(records, state);
            }

            if (end)
            {
                yield break;
            }
        }
    }

    protected override async Task<JsonElement> ExecuteActionAsync(ConnectorSession<ZulipConfiguration, ZulipCredential> session, string action, object input, CancellationToken cancellationToken)
    {
        var message = (ZulipSendMessageInput)input;
        var fields = new List<KeyValuePair<string, string>>
        {
            new("type", message.Type),
            new("to", message.Type == "direct" ? JsonSerializer.Serialize(message.To.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) : message.To),
            new("content", message.Content),
        };
        if (message.Topic is not null)
        {
            fields.Add(new("topic", message.Topic));
        }

        var uri = ApiUri(session.Configuration, "messages");
        using var body = await CallAsync(session, () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent(fields) }, cancellationToken);
        return body.RootElement.Clone();
    }

    /// <summary>Sends with basic auth; a <c>result</c> other than <c>success</c> becomes a <see cref="ConnectorException"/> with Zulip's <c>msg</c>.</summary>
    private static async Task<JsonDocument> CallAsync(ConnectorSession<ZulipConfiguration, ZulipCredential> session, Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        var credential = session.Credential;
        using var response = await session.Http.SendAsync(
            () =>
            {
                var request = create();
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Email}:{credential.ApiKey}")));
                return request;
            },
            cancellationToken);
        var body = await session.Http.ReadJsonAsync(response, cancellationToken);
        if (body.RootElement.TryGetProperty("result", out var result) && result.GetString() == "success")
        {
            return body;
        }

        var msg = body.RootElement.TryGetProperty("msg", out var m) ? m.GetString() : "unknown error";
        var code = body.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        body.Dispose();
        var status = (int)response.StatusCode;
        throw session.Http.ApiError(status, code is null ? msg ?? "unknown error" : $"{msg} ({code})", ErrorKind(status, code));
    }

    /// <summary>
    /// The kind of a Zulip <c>result: error</c> (https://zulip.com/api/rest-error-handling): <c>UNAUTHORIZED</c>,
    /// <c>INVALID_API_KEY</c>, <c>USER_DEACTIVATED</c>, <c>REALM_DEACTIVATED</c> and any 401/403 are
    /// <see cref="ConnectorErrorKind.Authentication"/>; <c>RATE_LIMIT_HIT</c> <see cref="ConnectorErrorKind.RateLimited"/>;
    /// otherwise by the status (<see cref="ConnectorException.KindOf"/>), a <c>result: error</c> in a 200 being a
    /// <see cref="ConnectorErrorKind.Request"/>.
    /// </summary>
    public static ConnectorErrorKind ErrorKind(int status, string? code) => code switch
    {
        "UNAUTHORIZED" or "INVALID_API_KEY" or "USER_DEACTIVATED" or "REALM_DEACTIVATED" or "MISSING_AUTHENTICATION" => ConnectorErrorKind.Authentication,
        "RATE_LIMIT_HIT" => ConnectorErrorKind.RateLimited,
        _ when status is >= 200 and < 300 => ConnectorErrorKind.Request,
        _ => ConnectorException.KindOf(status),
    };

    private static Uri ApiUri(ZulipConfiguration configuration, string pathAndQuery) => new($"{configuration.SiteUrl.TrimEnd('/')}/api/v1/{pathAndQuery}");
}
