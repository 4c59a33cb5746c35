using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using IntegrationHub.Connectors.Http;

namespace IntegrationHub.Connectors.GitHub;

/// <summary>
/// GitHub REST API: issues and issue comments of a repository updated since the cursor
/// (<c>GET /repos/{owner}/{repo}/issues?since=&amp;sort=updated&amp;direction=asc</c>, pages followed through the
/// <c>Link</c> header), and <c>create_comment</c>. Rate limits: <c>x-ratelimit-remaining</c>/<c>x-ratelimit-reset</c>
/// and secondary-limit <c>retry-after</c> on 403/429, all obeyed by <see cref="ConnectorHttp"/>.
/// </summary>
public sealed partial class GitHubConnector(ConnectorServices services) : Connector<GitHubConfiguration, GitHubCredential>(services)
{
    public const string ConnectorId = "github";
    public const string IssuesStream = "issues";
    public const string CommentsStream = "issue_comments";
    public const string CreateComment = "create_comment";

    protected override ConnectorDescriptor Describe() => new()
    {
        Id = ConnectorId,
        DisplayName = "GitHub",
        Category = "developer-tools",
        Description = "Issues, pull requests and comments of a GitHub or GitHub Enterprise repository; comment on issues.",
        Logo = "https://github.githubassets.com/favicons/favicon.svg",
        Capabilities = new ConnectorCapabilities(PollStreams: true, Actions: true, Webhooks: true),
        Streams =
        [
            new StreamDescriptor(IssuesStream, "Issues and pull requests (state=all), oldest update first.", "Watermark on updated_at plus the ids seen at that instant; GitHub's 'since' is inclusive. Updates come through as upserts; GitHub does not list deleted issues."),
            new StreamDescriptor(CommentsStream, "Issue and pull request comments of the repository.", "Watermark on updated_at plus ids, as for issues. Deleted comments are not reported by the API."),
        ],
        Actions = [ActionDescriptor.For<CreateCommentInput>(CreateComment, "Adds a comment to an issue or pull request.")],

        // 5,000 requests/hour for a token; the burst keeps a run quick, the rate keeps a long one under the hour's quota.
        RateLimit = RateLimitDefaults.Per(TimeSpan.FromSeconds(1), 1, 20),
    };

    protected override async Task<ConnectionCheck> CheckAsync(ConnectorSession<GitHubConfiguration, GitHubCredential> session, CancellationToken cancellationToken)
    {
        var (body, _) = await session.Http.GetJsonAsync(RepositoryUri(session.Configuration, ""), r => Authorize(r, session.Credential), cancellationToken);
        using (body)
        {
            return ConnectionCheck.Success($"GitHub repository {body.RootElement.GetProperty("full_name").GetString()} is readable.");
        }
    }

    protected override async IAsyncEnumerable<RecordPage> ReadAsync(
        ConnectorSession<GitHubConfiguration, GitHubCredential> session,
        string stream,
        JsonElement? cursor,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var configuration = session.Configuration;
        var watermark = WatermarkCursor.From(cursor);
        var path = stream == IssuesStream ? "/issues" : "/issues/comments";
        var query = $"?sort=updated&direction=asc&per_page={configuration.PageSize}{(stream == IssuesStream ? "&state=all" : "")}"
            + (watermark.Value is null ? "" : $"&since={Uri.EscapeDataString(watermark.Value)}");
        Uri? next = RepositoryUri(configuration, path + query);
        while (next is not null)
        {
            var (body, headers) = await session.Http.GetJsonAsync(next, r => Authorize(r, session.Credential), cancellationToken);
            var records = new List<ConnectorRecord>();
            using (body)
            {
                foreach (var item in body.RootElement.EnumerateArray())
                {
                    var id = item.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var updated = item.GetProperty("updated_at").GetString()!;
                    if (!watermark.IsNew(updated, id))
                    {
                        continue;
                    }

                    watermark.Advance(updated, id);
                    records.Add(new ConnectorRecord(id, updated, RecordOperation.Upsert, WatermarkCursor.TryParseInstant(updated, out var at) ? at : null, item.Clone()));
                }
            }

            next = LinkHeader.Find(headers, "next", next);
            if (records.Count > 0 || next is null)
            {
                yield return new RecordPage(records, watermark.ToJson());
            }
        }
    }

    protected override async Task<JsonElement> ExecuteActionAsync(ConnectorSession<GitHubConfiguration, GitHubCredential> session, string action, object input, CancellationToken cancellationToken)
    {
        var comment = (CreateCommentInput)input;
        var uri = RepositoryUri(session.Configuration, $"/issues/{comment.IssueNumber}/comments");
        using var response = await session.Http.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(new { body = comment.Body }) };
                Authorize(request, session.Credential);
                return request;
            },
            cancellationToken);
        using var result = await session.Http.ReadJsonAsync(response, cancellationToken);
        return result.RootElement.Clone();
    }

    private static Uri RepositoryUri(GitHubConfiguration configuration, string pathAndQuery) =>
        new($"{configuration.ApiBaseUrl.TrimEnd('/')}/repos/{Uri.EscapeDataString(configuration.Owner)}/{Uri.EscapeDataString(configuration.Repository)}{pathAndQuery}");

    private static void Authorize(HttpRequestMessage request, GitHubCredential credential)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.Token);
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
    }
}
