using System.Text.Json;
using IntegrationHub.Connectors.GitHub;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Connectors.Tests;

public sealed class GitHubConnectorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly Harness _hub = Harness.Create();
    private readonly GitHubDouble _github;

    public GitHubConnectorTests() => _github = _hub.Own(new GitHubDouble(time: _hub.Clock));

    public Task InitializeAsync() => _github.StartAsync();

    public Task DisposeAsync() => _hub.DisposeAsync().AsTask();

    private IConnector Connector => _hub.Connector(GitHubConnector.ConnectorId);

    private ConnectorContext Context(string? token = null) => _hub.Context(
        new { owner = "octo", repository = "hub", apiBaseUrl = _github.BaseAddress.ToString().TrimEnd('/'), pageSize = 4 },
        new Dictionary<string, string> { ["token"] = token ?? _github.Token });

    [Fact]
    public async Task Reads_issues_across_Link_pages_with_the_documented_headers()
    {
        var ids = Enumerable.Range(0, 10).Select(i => _github.AddIssue($"issue {i}", T0.AddMinutes(i))).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var pages = await Harness.ReadAsync(Connector, Context(), GitHubConnector.IssuesStream);

        Assert.Equal(ids, Harness.Ids(pages));
        var requests = _github.RequestsTo("/issues");
        Assert.Equal(3, requests.Count);
        Assert.Contains("page=2", requests[1].PathAndQuery, StringComparison.Ordinal);
        Assert.All(requests, r =>
        {
            Assert.Equal($"Bearer {_github.Token}", r.Headers["Authorization"]);
            Assert.Equal("application/vnd.github+json", r.Headers["Accept"]);
            Assert.Equal("2022-11-28", r.Headers["X-GitHub-Api-Version"]);
            Assert.False(string.IsNullOrEmpty(r.Headers["User-Agent"]));
        });
    }

    [Fact]
    public async Task Records_sharing_an_updated_at_are_neither_lost_nor_repeated_on_resume()
    {
        // Six issues at the same instant straddle the 4-per-page boundary.
        var tied = Enumerable.Range(0, 6).Select(i => _github.AddIssue($"tied {i}", T0)).ToList();
        var later = _github.AddIssue("later", T0.AddMinutes(1));

        var first = await Harness.ReadAsync(Connector, Context(), GitHubConnector.IssuesStream, maxPages: 1);
        var rest = await Harness.ReadAsync(Connector, Context(), GitHubConnector.IssuesStream, first[^1].Cursor);
        Assert.Contains("since=2025-05-01T08%3A00%3A00Z", _github.RequestsTo("/issues")[1].PathAndQuery, StringComparison.Ordinal);

        var ids = Harness.Ids(first.Concat(rest));
        Assert.Equal(tied.Append(later).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), ids.Order());
        Assert.Equal(ids.Count, ids.Distinct().Count());

        // An edit after the run comes through again, as an upsert of the new version.
        _github.UpdateIssue(tied[0], "edited", T0.AddMinutes(5));
        var next = await Harness.ReadAsync(Connector, Context(), GitHubConnector.IssuesStream, rest[^1].Cursor);
        var edited = Assert.Single(next.SelectMany(p => p.Records));
        Assert.Equal("edited", edited.Data.GetProperty("title").GetString());
        Assert.Equal(RecordOperation.Upsert, edited.Operation);
        Assert.Equal("2025-05-01T08:05:00Z", edited.Version);
    }

    [Fact]
    public async Task A_primary_rate_limit_403_waits_until_x_ratelimit_reset()
    {
        _github.AddIssue("one", T0);
        _github.PrimaryLimitNext("/issues", TimeSpan.FromSeconds(42));

        var pages = await Harness.ReadAsync(Connector, Context(), GitHubConnector.IssuesStream);

        Assert.Single(Harness.Ids(pages));
        var wait = Assert.Single(_hub.Observer.Waits);
        Assert.Equal(TimeSpan.FromSeconds(42), wait.Wait);
        Assert.Equal("403 X-RateLimit-Reset", wait.Reason);
    }

    [Fact]
    public async Task A_spent_quota_on_a_successful_page_holds_the_next_request_until_the_reset()
    {
        for (var i = 0; i < 6; i++)
        {
            _github.AddIssue($"issue {i}", T0.AddMinutes(i));
        }

        _github.ExhaustQuotaOnNextResponse(TimeSpan.FromSeconds(90));

        var pages = await Harness.ReadAsync(Connector, Context(), GitHubConnector.IssuesStream);

        Assert.Equal(6, Harness.Ids(pages).Count);
        Assert.Equal((TimeSpan.FromSeconds(90), "quota exhausted (X-RateLimit-Reset)"), Assert.Single(_hub.Observer.Waits));
        Assert.Equal(2, _github.RequestsTo("/issues").Count);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task A_secondary_rate_limit_waits_its_retry_after(int status)
    {
        _github.AddIssue("one", T0);
        _github.SecondaryLimitNext("/issues", status, 60);

        var pages = await Harness.ReadAsync(Connector, Context(), GitHubConnector.IssuesStream);

        Assert.Single(Harness.Ids(pages));
        var wait = Assert.Single(_hub.Observer.Waits);
        Assert.Equal(TimeSpan.FromSeconds(60), wait.Wait);
        Assert.Equal($"{status} Retry-After", wait.Reason);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task For_a_run_activity_a_rate_limit_ends_the_read_at_once_with_the_wait_instead_of_sleeping(int status)
    {
        // A run's activity defers rate limits: its orchestration waits on a durable timer, so nothing is slept or retried here.
        _github.AddIssue("one", T0);
        _github.SecondaryLimitNext("/issues", status, 60);

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => Harness.ReadAsync(Connector, Context() with { DeferRateLimits = true }, GitHubConnector.IssuesStream));

        Assert.Equal(TimeSpan.FromSeconds(60), error.Wait);
        Assert.Equal(status, error.StatusCode);
        Assert.Single(_github.RequestsTo("/issues"));
        Assert.Empty(_hub.Observer.Waits);
    }

    [Fact]
    public async Task For_a_run_activity_a_spent_quota_ends_the_read_before_the_next_request_with_the_time_to_the_reset()
    {
        for (var i = 0; i < 6; i++)
        {
            _github.AddIssue($"issue {i}", T0.AddMinutes(i));
        }

        _github.ExhaustQuotaOnNextResponse(TimeSpan.FromSeconds(90));
        var pages = new List<RecordPage>();
        async Task ReadAsync()
        {
            await foreach (var page in Connector.ReadAsync(Context() with { DeferRateLimits = true }, GitHubConnector.IssuesStream, null, CancellationToken.None))
            {
                pages.Add(page);
            }
        }

        var error = await Assert.ThrowsAsync<RateLimitedException>(ReadAsync);

        Assert.Equal(TimeSpan.FromSeconds(90), error.Wait);
        Assert.Single(pages); // the first page was read; the second request never went out
        Assert.Single(_github.RequestsTo("/issues"));
        Assert.Empty(_hub.Observer.Waits);
    }

    [Fact]
    public async Task A_5xx_is_retried()
    {
        _github.AddIssue("one", T0);
        _github.Fail("/issues", 502, """{"message":"Server Error"}""");

        var pages = await Harness.ReadAsync(Connector, Context(), GitHubConnector.IssuesStream);

        Assert.Single(Harness.Ids(pages));
        Assert.Equal(2, _github.RequestsTo("/issues").Count);
    }

    [Fact]
    public async Task A_4xx_is_a_clear_error_naming_GitHub_and_the_status_without_the_token()
    {
        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(Connector, Context("ghp_wrong_secret"), GitHubConnector.IssuesStream));

        Assert.Equal("github", error.ConnectorId);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("GitHub answered 401", error.Message, StringComparison.Ordinal);
        Assert.Contains("Bad credentials", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_wrong_secret", error.Message, StringComparison.Ordinal);
        Assert.Single(_github.RequestsTo("/issues"));
    }

    [Fact]
    public async Task Create_comment_posts_to_the_issue_and_the_comment_is_read_back()
    {
        _github.AddIssue("one", T0);

        var comment = await Connector.ExecuteActionAsync(Context(), GitHubConnector.CreateComment, JsonSerializer.SerializeToElement(new { issueNumber = 1, body = "Looks good" }), CancellationToken.None);
        var missing = await Assert.ThrowsAsync<ConnectorException>(() => Connector.ExecuteActionAsync(Context(), GitHubConnector.CreateComment, JsonSerializer.SerializeToElement(new { issueNumber = 99, body = "x" }), CancellationToken.None));

        Assert.Equal("Looks good", comment.GetProperty("body").GetString());
        Assert.Equal(404, missing.StatusCode);
        var pages = await Harness.ReadAsync(Connector, Context(), GitHubConnector.CommentsStream);
        Assert.Equal(comment.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(Harness.Ids(pages)));
    }

    [Fact]
    public async Task An_invalid_action_input_is_refused_before_any_request_naming_the_field()
    {
        var error = await Assert.ThrowsAsync<ConnectorValidationException>(() =>
            Connector.ExecuteActionAsync(Context(), GitHubConnector.CreateComment, JsonSerializer.SerializeToElement(new { issueNumber = 1 }), CancellationToken.None));

        Assert.Contains(error.Errors, e => e.Field == "body");
        Assert.Empty(_github.RequestsTo("/comments"));
    }
}
