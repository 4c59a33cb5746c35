namespace IntegrationHub.Connectors.Tests;

/// <summary>
/// Issue 13, fault 3: pagination that does not advance. Whatever the style (cursor, page token, Link, page number,
/// offset, anchor, Slack sweep), a next request equal to one the read already made fails the read at once with a
/// permanent <see cref="PaginationStalledException"/> naming the request, without a secret in it. Reads stop after 50
/// pages, so a regression fails the assertion instead of looping.
/// </summary>
public sealed class PaginationStalledTests : IAsyncLifetime
{
    private readonly Harness _hub = Harness.Create();
    private readonly ScriptedApi _api = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _api.Dispose();
    }

    public static TheoryData<string, int, int, string> Stalls => new()
    {
        // case, requests that reach the source, the failing request's number, text of the request named. The cursor
        // case fails at request 2 already: it answered the same records as request 1 (the same check as page/offset).
        { "rest-cursor", 2, 2, "cursor=SAME" },
        { "rest-link", 1, 2, "/items?per_page=5" },
        { "rest-page", 2, 2, "page=2" },
        { "rest-offset", 2, 2, "offset=1" },
        { "github", 2, 3, "page=2" },
        { "jira", 2, 3, "nextPageToken=SAME" },
        { "slack", 2, 3, "cursor=SAME" },
        { "slack-no-cursor", 2, 3, "latest=1700000000.000100" },
        { "zulip", 2, 3, "anchor=1&include_anchor=false" },
    };

    [Theory]
    [MemberData(nameof(Stalls))]
    public async Task A_next_request_equal_to_one_already_made_fails_the_read_at_once(string name, int reached, int repeated, string shown)
    {
        var (connector, configuration, credential, stream, path) = Script(name);

        var error = await Assert.ThrowsAsync<PaginationStalledException>(() => Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream, maxPages: 50));

        Assert.Equal(reached, _api.Requests(path).Count);
        Assert.Equal(repeated, error.RequestNumber);
        Assert.Equal(ConnectorErrorKind.PaginationStalled, error.Kind);
        Assert.True(error.IsPermanent);
        Assert.Contains("does not advance", error.Message, StringComparison.Ordinal);
        Assert.Contains(shown, Uri.UnescapeDataString(error.Request), StringComparison.Ordinal);
        Assert.Contains(error.Request, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ConnectorCases.Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_repeated_request_is_named_without_the_api_key_it_carries()
    {
        _api.Json("/items", """{"items":[{"id":"a"}],"next_cursor":"SAME"}""");
        var (connector, configuration, credential, stream, _) = ConnectorCases.For("rest-apikey-query", _api.Url, new { kind = "cursor", pageSize = 5 });

        var error = await Assert.ThrowsAsync<PaginationStalledException>(() => Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream, maxPages: 50));

        Assert.Contains("api_key=***", error.Request, StringComparison.Ordinal);
        Assert.DoesNotContain(ConnectorCases.Secret, error.Message, StringComparison.Ordinal);
        Assert.Equal(ConnectorCases.Secret, ScriptedApi.Query(_api.Requests("/items")[0], "api_key"));
    }

    [Fact]
    public async Task A_read_that_advances_is_not_mistaken_for_a_stall()
    {
        _api.Json("/items", """{"items":[{"id":"a"}],"next_cursor":"p2"}""", priority: 10);
        _api.Json("/items", """{"items":[{"id":"b"}],"next_cursor":null}""", parameters: [("cursor", "p2")], priority: 1);
        var (connector, configuration, credential, stream, _) = ConnectorCases.For("rest", _api.Url, new { kind = "cursor", pageSize = 5 });

        var pages = await Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream);

        Assert.Equal(["a", "b"], Harness.Ids(pages));
    }

    private (string, object, Dictionary<string, string>, string, string) Script(string name)
    {
        switch (name)
        {
            case "rest-cursor":
                // The fault as reported: a source that always answers the same next_cursor.
                _api.Json("/items", """{"items":[{"id":"a"}],"next_cursor":"SAME"}""");
                return ConnectorCases.For("rest", _api.Url, new { kind = "cursor", pageSize = 5 });
            case "rest-link":
                _api.Json("/items", """{"items":[{"id":"a"}]}""", headers: ("Link", $"<{_api.Url}/items?per_page=5>; rel=\"next\""));
                return ConnectorCases.For("rest", _api.Url, new { kind = "link", pageSize = 5 });
            case "rest-page":
                // Ignores the page parameter: every page holds the same records.
                _api.Json("/items", """{"items":[{"id":"a"},{"id":"b"}]}""");
                return ConnectorCases.For("rest", _api.Url, new { kind = "page", pageSize = 2 });
            case "rest-offset":
                _api.Json("/items", """{"items":[{"id":"a"}]}""");
                return ConnectorCases.For("rest", _api.Url, new { kind = "offset", pageSize = 1 });
            case "github":
                _api.Json("/repos/o/r/issues", """[{"id":1,"updated_at":"2025-01-01T00:00:00Z"}]""", headers: ("Link", $"<{_api.Url}/repos/o/r/issues?page=2>; rel=\"next\""));
                return ConnectorCases.For("github", _api.Url);
            case "jira":
                _api.Json("/rest/api/3/search/jql", """{"issues":[{"id":"10001","key":"K-1","fields":{"updated":"2025-01-01T00:00:00.000+0000"}}],"nextPageToken":"SAME","isLast":false}""");
                return ConnectorCases.For("jira", _api.Url);
            case "slack":
                _api.Json("/api/conversations.history", """{"ok":true,"messages":[{"ts":"1700000000.000100","text":"x"}],"has_more":true,"response_metadata":{"next_cursor":"SAME"}}""");
                return ConnectorCases.For("slack", _api.Url);
            case "slack-no-cursor":
                // has_more without a page cursor: the connector pages by latest, which a source ignoring it never moves.
                _api.Json("/api/conversations.history", """{"ok":true,"messages":[{"ts":"1700000000.000100","text":"x"}],"has_more":true}""");
                return ConnectorCases.For("slack", _api.Url);
            case "zulip":
                // Ignores the anchor and never says found_newest.
                _api.Json("/api/v1/messages", """{"result":"success","msg":"","messages":[{"id":1,"timestamp":1700000000,"content":"x"}],"found_newest":false}""");
                return ConnectorCases.For("zulip", _api.Url);
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
    }
}
