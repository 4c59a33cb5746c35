namespace IntegrationHub.Connectors.Tests;

/// <summary>
/// Issue 13, fault 13: a server that caps the page size. Each source here is asked for 5 records per page and answers
/// at most 2; the read must still get every record, ending only where the API says so (an empty page, has_more,
/// isLast, found_newest, a missing next cursor or Link), never at a page shorter than asked.
/// </summary>
public sealed class CappedPageTests : IAsyncLifetime
{
    private readonly Harness _hub = Harness.Create();
    private readonly ScriptedApi _api = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _api.Dispose();
    }

    public static TheoryData<string, string[], int> Cases => new()
    {
        // case, ids read, requests made
        { "rest-page", ["1", "2", "3", "4", "5"], 4 },
        { "rest-offset", ["1", "2", "3", "4", "5"], 4 },
        { "rest-cursor", ["1", "2", "3"], 2 },
        { "rest-link", ["1", "2", "3"], 2 },
        { "github", ["1", "2", "3"], 2 },
        { "jira", ["10001", "10002", "10003"], 2 },
        { "slack", ["1700000003.000000", "1700000002.000000", "1700000001.000000"], 2 },
        { "zulip", ["1", "2", "3"], 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_page_shorter_than_asked_does_not_end_the_read(string name, string[] ids, int requests)
    {
        var (connector, configuration, credential, stream, path) = Script(name);

        var pages = await Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream);

        Assert.Equal(ids, Harness.Ids(pages));
        Assert.Equal(requests, _api.Requests(path).Count);
    }

    [Fact]
    public async Task Offsets_advance_by_the_records_each_page_held()
    {
        var (connector, configuration, credential, stream, _) = Script("rest-offset");

        await Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream);

        Assert.Equal(["0", "2", "4", "5"], _api.Requests("/items").Select(r => ScriptedApi.Query(r, "offset")));
        Assert.All(_api.Requests("/items"), r => Assert.Equal("5", ScriptedApi.Query(r, "per_page")));
    }

    [Fact]
    public async Task Has_more_false_ends_a_capped_page_read_without_asking_for_the_empty_page()
    {
        _api.Json("/items", """{"items":[{"id":1},{"id":2}],"meta":{"has_more":true}}""", parameters: [("page", "1")]);
        _api.Json("/items", """{"items":[{"id":3}],"meta":{"has_more":false}}""", parameters: [("page", "2")]);
        var (connector, configuration, credential, stream, _) = ConnectorCases.For("rest", _api.Url, new { kind = "page", pageSize = 5, hasMorePath = "meta.has_more" });

        var pages = await Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream);

        Assert.Equal(["1", "2", "3"], Harness.Ids(pages));
        Assert.Equal(2, _api.Requests("/items").Count);
    }

    [Fact]
    public async Task A_total_ends_a_capped_offset_read_once_that_many_were_read()
    {
        _api.Json("/items", """{"total":3,"items":[{"id":1},{"id":2}]}""", parameters: [("offset", "0")]);
        _api.Json("/items", """{"total":3,"items":[{"id":3}]}""", parameters: [("offset", "2")]);
        var (connector, configuration, credential, stream, _) = ConnectorCases.For("rest", _api.Url, new { kind = "offset", pageSize = 5, totalPath = "total" });

        var pages = await Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream);

        Assert.Equal(["1", "2", "3"], Harness.Ids(pages));
        Assert.Equal(2, _api.Requests("/items").Count);
    }

    [Fact]
    public async Task A_total_larger_than_what_a_capped_page_holds_reads_on()
    {
        _api.Json("/items", """{"total":3,"items":[{"id":1},{"id":2}]}""", parameters: [("page", "1")]);
        _api.Json("/items", """{"total":3,"items":[{"id":3}]}""", parameters: [("page", "2")]);
        var (connector, configuration, credential, stream, _) = ConnectorCases.For("rest", _api.Url, new { kind = "page", pageSize = 5, totalPath = "total" });

        var pages = await Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream);

        Assert.Equal(["1", "2", "3"], Harness.Ids(pages));
    }

    private (string, object, Dictionary<string, string>, string, string) Script(string name)
    {
        static string Items(params int[] ids) => $$"""{"items":[{{string.Join(',', ids.Select(i => $$"""{"id":{{i}}}"""))}}]}""";
        switch (name)
        {
            case "rest-page":
                _api.Json("/items", Items(1, 2), parameters: [("page", "1")]);
                _api.Json("/items", Items(3, 4), parameters: [("page", "2")]);
                _api.Json("/items", Items(5), parameters: [("page", "3")]);
                _api.Json("/items", Items(), parameters: [("page", "4")]);
                return ConnectorCases.For("rest", _api.Url, new { kind = "page", pageSize = 5 });
            case "rest-offset":
                _api.Json("/items", Items(1, 2), parameters: [("offset", "0")]);
                _api.Json("/items", Items(3, 4), parameters: [("offset", "2")]);
                _api.Json("/items", Items(5), parameters: [("offset", "4")]);
                _api.Json("/items", Items(), parameters: [("offset", "5")]);
                return ConnectorCases.For("rest", _api.Url, new { kind = "offset", pageSize = 5 });
            case "rest-cursor":
                _api.Json("/items", """{"items":[{"id":1},{"id":2}],"next_cursor":"c2"}""", priority: 10);
                _api.Json("/items", """{"items":[{"id":3}],"next_cursor":""}""", parameters: [("cursor", "c2")], priority: 1);
                return ConnectorCases.For("rest", _api.Url, new { kind = "cursor", pageSize = 5 });
            case "rest-link":
                _api.Json("/items", Items(1, 2), priority: 10, headers: ("Link", $"<{_api.Url}/items?page=2>; rel=\"next\""));
                _api.Json("/items", Items(3), parameters: [("page", "2")], priority: 1);
                return ConnectorCases.For("rest", _api.Url, new { kind = "link", pageSize = 5 });
            case "github":
                _api.Json("/repos/o/r/issues", """[{"id":1,"updated_at":"2025-01-01T00:00:01Z"},{"id":2,"updated_at":"2025-01-01T00:00:02Z"}]""", priority: 10, headers: ("Link", $"<{_api.Url}/repos/o/r/issues?page=2>; rel=\"next\", <{_api.Url}/repos/o/r/issues?page=2>; rel=\"last\""));
                _api.Json("/repos/o/r/issues", """[{"id":3,"updated_at":"2025-01-01T00:00:03Z"}]""", parameters: [("page", "2")], priority: 1);
                return ConnectorCases.For("github", _api.Url);
            case "jira":
                _api.Json("/rest/api/3/search/jql", """{"issues":[{"id":"10001","fields":{"updated":"2025-01-01T00:00:01.000+0000"}},{"id":"10002","fields":{"updated":"2025-01-01T00:00:02.000+0000"}}],"nextPageToken":"t2","isLast":false}""", priority: 10);
                _api.Json("/rest/api/3/search/jql", """{"issues":[{"id":"10003","fields":{"updated":"2025-01-01T00:00:03.000+0000"}}],"isLast":true}""", parameters: [("nextPageToken", "t2")], priority: 1);
                return ConnectorCases.For("jira", _api.Url);
            case "slack":
                _api.Json("/api/conversations.history", """{"ok":true,"messages":[{"ts":"1700000003.000000"},{"ts":"1700000002.000000"}],"has_more":true,"response_metadata":{"next_cursor":"c2"}}""", priority: 10);
                _api.Json("/api/conversations.history", """{"ok":true,"messages":[{"ts":"1700000001.000000"}],"has_more":false,"response_metadata":{"next_cursor":""}}""", parameters: [("cursor", "c2")], priority: 1);
                return ConnectorCases.For("slack", _api.Url);
            case "zulip":
                _api.Json("/api/v1/messages", """{"result":"success","msg":"","messages":[{"id":1,"timestamp":1700000001},{"id":2,"timestamp":1700000002}],"found_newest":false}""", parameters: [("anchor", "oldest")], priority: 1);
                _api.Json("/api/v1/messages", """{"result":"success","msg":"","messages":[{"id":3,"timestamp":1700000003}],"found_newest":true}""", parameters: [("anchor", "2")], priority: 1);
                return ConnectorCases.For("zulip", _api.Url);
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
    }
}
