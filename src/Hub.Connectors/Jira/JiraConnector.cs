using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using IntegrationHub.Connectors.Http;

namespace IntegrationHub.Connectors.Jira;

/// <summary>
/// Jira Cloud REST API v3: JQL search by <c>updated</c> through <c>GET /rest/api/3/search/jql</c>, paged with
/// <c>nextPageToken</c>, and <c>create_issue</c>. Basic auth with email and API token; 429 with <c>Retry-After</c>.
/// </summary>
/// <remarks>
/// JQL compares dates to the minute in the token user's time zone, so the query starts at the watermark's
/// minute and the <see cref="WatermarkCursor"/> skips what was already handed off (earlier instants, and ids at
/// the exact watermark instant).
/// </remarks>
public sealed partial class JiraConnector(ConnectorServices services) : Connector<JiraConfiguration, JiraCredential>(services)
{
    public const string ConnectorId = "jira";
    public const string IssuesStream = "issues";
    public const string CreateIssue = "create_issue";

    protected override ConnectorDescriptor Describe() => new()
    {
        Id = ConnectorId,
        DisplayName = "Jira Cloud",
        Category = "project-management",
        Description = "Issues of a Jira Cloud site selected by JQL; create issues.",
        Logo = "https://wac-cdn.atlassian.com/assets/img/favicons/atlassian/favicon.png",
        Capabilities = new ConnectorCapabilities(PollStreams: true, Actions: true, Webhooks: true),
        Streams = [new StreamDescriptor(IssuesStream, "Issues matching the JQL, oldest update first.", "Watermark on fields.updated plus the ids seen at that instant. Updates come through as upserts; deleted issues are not returned by search.")],
        Actions = [ActionDescriptor.For<CreateIssueInput>(CreateIssue, "Creates an issue.")],
        RateLimit = RateLimitDefaults.Per(TimeSpan.FromSeconds(1), 10, 20),
    };

    protected override async Task<ConnectionCheck> CheckAsync(ConnectorSession<JiraConfiguration, JiraCredential> session, CancellationToken cancellationToken)
    {
        var (body, _) = await session.Http.GetJsonAsync(SiteUri(session.Configuration, "/rest/api/3/myself"), r => Authorize(r, session.Credential), cancellationToken);
        using (body)
        {
            return ConnectionCheck.Success($"Jira accepts the token of {body.RootElement.GetProperty("displayName").GetString()}.");
        }
    }

    protected override async IAsyncEnumerable<RecordPage> ReadAsync(
        ConnectorSession<JiraConfiguration, JiraCredential> session,
        string stream,
        JsonElement? cursor,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var configuration = session.Configuration;
        var watermark = WatermarkCursor.From(cursor);
        var jql = BuildJql(configuration, watermark.Value);
        var fields = string.Join(',', configuration.Fields.Append("updated").Distinct(StringComparer.Ordinal));
        string? token = null;
        do
        {
            var uri = SiteUri(configuration, $"/rest/api/3/search/jql?jql={Uri.EscapeDataString(jql)}&maxResults={configuration.PageSize}&fields={Uri.EscapeDataString(fields)}"
                + (token is null ? "" : $"&nextPageToken={Uri.EscapeDataString(token)}"));
            var (body, _) = await session.Http.GetJsonAsync(uri, r => Authorize(r, session.Credential), cancellationToken);
            var records = new List<ConnectorRecord>();
            using (body)
            {
                var root = body.RootElement;
                foreach (var issue in root.GetProperty("issues").EnumerateArray())
                {
                    var id = issue.GetProperty("id").GetString()!;
                    var updated = issue.GetProperty("fields").GetProperty("updated").GetString()!;
                    if (!watermark.IsNew(updated, id))
                    {
                        continue;
                    }

                    watermark.Advance(updated, id);
                    records.Add(new ConnectorRecord(id, updated, RecordOperation.Upsert, WatermarkCursor.TryParseInstant(updated, out var at) ? at : null, issue.Clone()));
                }

                var isLast = root.TryGetProperty("isLast", out var last) && last.ValueKind == JsonValueKind.True;
                token = !isLast && root.TryGetProperty("nextPageToken", out var next) && next.GetString() is { Length: > 0 } value ? value : null;
            }

            if (records.Count > 0 || token is null)
            {
                yield return new RecordPage(records, watermark.ToJson());
            }
        }
        while (token is not null);
    }

    protected override async Task<JsonElement> ExecuteActionAsync(ConnectorSession<JiraConfiguration, JiraCredential> session, string action, object input, CancellationToken cancellationToken)
    {
        var issue = (CreateIssueInput)input;
        var fields = new Dictionary<string, object>
        {
            ["project"] = new { key = issue.ProjectKey },
            ["summary"] = issue.Summary,
            ["issuetype"] = new { name = issue.IssueType },
        };
        if (issue.Description is { } description)
        {
            fields["description"] = new
            {
                type = "doc",
                version = 1,
                content = new[] { new { type = "paragraph", content = new[] { new { type = "text", text = description } } } },
            };
        }

        var uri = SiteUri(session.Configuration, "/rest/api/3/issue");
        using var response = await session.Http.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(new { fields }) };
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                Authorize(request, session.Credential);
                return request;
            },
            cancellationToken);
        using var result = await session.Http.ReadJsonAsync(response, cancellationToken);
        return result.RootElement.Clone();
    }

    /// <summary>The search JQL: the user's filter, bounded below by the watermark's minute, oldest update first.</summary>
    public static string BuildJql(JiraConfiguration configuration, string? watermark)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var since = "1970/01/01 00:00";
        if (watermark is not null && WatermarkCursor.TryParseInstant(watermark, out var instant))
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(configuration.TimeZone);
            since = TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy/MM/dd HH:mm", CultureInfo.InvariantCulture);
        }

        var filter = string.IsNullOrWhiteSpace(configuration.Jql) ? "" : $"({configuration.Jql}) AND ";
        return $"{filter}updated >= \"{since}\" ORDER BY updated ASC, key ASC";
    }

    private static Uri SiteUri(JiraConfiguration configuration, string pathAndQuery) => new($"{configuration.SiteUrl.TrimEnd('/')}{pathAndQuery}");

    private static void Authorize(HttpRequestMessage request, JiraCredential credential) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Email}:{credential.ApiToken}")));
}
