using System.Text;
using System.Text.Json;
using IntegrationHub.Connectors.Jira;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Connectors.Tests;

public sealed class JiraConnectorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly Harness _hub = Harness.Create();
    private readonly JiraDouble _jira;

    public JiraConnectorTests() => _jira = _hub.Own(new JiraDouble(time: _hub.Clock));

    public Task InitializeAsync() => _jira.StartAsync();

    public Task DisposeAsync() => _hub.DisposeAsync().AsTask();

    private IConnector Connector => _hub.Connector(JiraConnector.ConnectorId);

    private ConnectorContext Context(string? jql = "project = ABC", string? token = null) => _hub.Context(
        new { siteUrl = _jira.BaseAddress.ToString(), jql, pageSize = 3, fields = new[] { "summary", "status" } },
        new Dictionary<string, string> { ["email"] = _jira.Email, ["apiToken"] = token ?? _jira.ApiToken });

    [Fact]
    public async Task Reads_issues_across_nextPageToken_pages_with_basic_auth()
    {
        var ids = Enumerable.Range(0, 8).Select(i => _jira.AddIssue("ABC", $"issue {i}", T0.AddMinutes(i))).ToList();
        _jira.AddIssue("XYZ", "other project", T0);

        var pages = await Harness.ReadAsync(Connector, Context(), JiraConnector.IssuesStream);

        Assert.Equal(ids, Harness.Ids(pages));
        var requests = _jira.RequestsTo("/search/jql");
        Assert.Equal(3, requests.Count);
        Assert.Contains("nextPageToken=", requests[1].PathAndQuery, StringComparison.Ordinal);
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_jira.Email}:{_jira.ApiToken}"));
        Assert.All(requests, r => Assert.Equal(basic, r.Headers["Authorization"]));
        Assert.Contains(Uri.EscapeDataString("ORDER BY updated ASC"), requests[0].PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("issue 0", pages[0].Records[0].Data.GetProperty("fields").GetProperty("summary").GetString());
    }

    [Fact]
    public async Task Resume_within_the_same_minute_and_instant_loses_and_repeats_nothing()
    {
        // JQL only compares minutes: the resumed query re-reads the whole minute, and ties share an instant.
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(_jira.AddIssue("ABC", $"tied {i}", T0.AddSeconds(i < 5 ? 10 : 20)));
        }

        var first = await Harness.ReadAsync(Connector, Context(), JiraConnector.IssuesStream, maxPages: 1);
        var rest = await Harness.ReadAsync(Connector, Context(), JiraConnector.IssuesStream, first[^1].Cursor);

        var read = Harness.Ids(first.Concat(rest));
        Assert.Equal(ids.Order(), read.Order());
        Assert.Equal(read.Count, read.Distinct().Count());
        Assert.Contains(Uri.EscapeDataString("updated >= \"2025/05/01 08:00\""), _jira.RequestsTo("/search/jql")[1].PathAndQuery, StringComparison.Ordinal);

        var newer = _jira.AddIssue("ABC", "newer", T0.AddSeconds(20));
        var again = await Harness.ReadAsync(Connector, Context(), JiraConnector.IssuesStream, rest[^1].Cursor);
        Assert.Equal([newer], Harness.Ids(again));
    }

    [Fact]
    public async Task A_429_waits_the_Retry_After_it_names()
    {
        _jira.AddIssue("ABC", "one", T0);
        _jira.RateLimitNext(12);

        var pages = await Harness.ReadAsync(Connector, Context(), JiraConnector.IssuesStream);

        Assert.Single(Harness.Ids(pages));
        var wait = Assert.Single(_hub.Observer.Waits);
        Assert.Equal((TimeSpan.FromSeconds(12), "429 Retry-After"), wait);
    }

    [Fact]
    public async Task A_5xx_is_retried()
    {
        _jira.AddIssue("ABC", "one", T0);
        _jira.Fail("/search/jql", 500, """{"errorMessages":["Internal server error"],"errors":{}}""");

        var pages = await Harness.ReadAsync(Connector, Context(), JiraConnector.IssuesStream);

        Assert.Single(Harness.Ids(pages));
        Assert.Equal(2, _jira.RequestsTo("/search/jql").Count);
    }

    [Fact]
    public async Task A_400_is_a_clear_error_with_Jiras_message()
    {
        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(Connector, Context("summary ~ \"unclosed"), JiraConnector.IssuesStream));

        Assert.Equal("jira", error.ConnectorId);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("Jira Cloud answered 400", error.Message, StringComparison.Ordinal);
        Assert.Contains("Error in the JQL Query", error.Message, StringComparison.Ordinal);
        Assert.Single(_jira.RequestsTo("/search/jql"));
    }

    [Fact]
    public async Task Create_issue_posts_the_documented_body_and_returns_the_key()
    {
        var input = JsonSerializer.SerializeToElement(new { projectKey = "ABC", summary = "From the hub", description = "Details" });

        var created = await Connector.ExecuteActionAsync(Context(), JiraConnector.CreateIssue, input, CancellationToken.None);

        Assert.Equal("ABC-1", created.GetProperty("key").GetString());
        var pages = await Harness.ReadAsync(Connector, Context(), JiraConnector.IssuesStream);
        Assert.Equal(created.GetProperty("id").GetString(), Assert.Single(Harness.Ids(pages)));
    }

    [Fact]
    public void The_jql_is_bounded_by_the_watermark_minute_in_the_users_time_zone()
    {
        var configuration = new JiraConfiguration { SiteUrl = "https://x.atlassian.net", Jql = "project = ABC", TimeZone = "Europe/Berlin" };

        var jql = JiraConnector.BuildJql(configuration, "2025-05-01T08:00:59.999+0000");

        Assert.Equal("(project = ABC) AND updated >= \"2025/05/01 10:00\" ORDER BY updated ASC, key ASC", jql);
    }
}
