using System.Text;
using IntegrationHub.Connectors.Rest;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Connectors.Tests;

public sealed class RestConnectorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly Harness _hub = Harness.Create();
    private readonly RestDouble _api = new();

    public Task InitializeAsync() => _api.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _api.DisposeAsync();
    }

    private IConnector Connector => _hub.Connector(RestConnector.ConnectorId);

    private List<string> Seed(int count, int tiedAtStart = 0) =>
        Enumerable.Range(0, count).Select(i => _api.AddItem($"item {i}", i < tiedAtStart ? T0 : T0.AddMinutes(i)).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [Fact]
    public async Task Page_pagination_with_a_record_selector_and_bearer_auth()
    {
        var ids = Seed(7);
        var context = _hub.Context(
            new { url = $"{_api.BaseAddress}page/items", recordSelector = "data.items", auth = "bearer", pagination = new { kind = "page", pageSize = 3 } },
            new Dictionary<string, string> { ["token"] = "rest-token" });

        var pages = await Harness.ReadAsync(Connector, context, RestConnector.RecordsStream);

        Assert.Equal(ids, Harness.Ids(pages));
        var requests = _api.RequestsTo("/page/items");
        // The short third page does not end the read (a server may cap the size): the empty fourth does.
        Assert.Equal(["page=1&per_page=3", "page=2&per_page=3", "page=3&per_page=3", "page=4&per_page=3"], requests.Select(r => r.PathAndQuery.Split('?')[1]));
        Assert.All(requests, r => Assert.Equal("Bearer rest-token", r.Headers["Authorization"]));
    }

    [Fact]
    public async Task Offset_pagination_with_an_api_key_header()
    {
        var ids = Seed(6);
        var context = _hub.Context(
            new { url = $"{_api.BaseAddress}offset/items", auth = "apiKey", apiKeyHeader = "X-Api-Key", pagination = new { kind = "offset", pageSize = 3, sizeParameter = "limit" } },
            new Dictionary<string, string> { ["apiKey"] = "key-123" });

        var pages = await Harness.ReadAsync(Connector, context, RestConnector.RecordsStream);

        Assert.Equal(ids, Harness.Ids(pages));
        Assert.Equal(3, _api.RequestsTo("/offset/items").Count);
        Assert.All(_api.RequestsTo("/offset/items"), r => Assert.Equal("key-123", r.Headers["X-Api-Key"]));
    }

    [Fact]
    public async Task Cursor_pagination_reads_the_next_cursor_after_the_records_with_basic_auth()
    {
        var ids = Seed(7);
        var context = _hub.Context(
            new { url = $"{_api.BaseAddress}cursor/items", recordSelector = "items", auth = "basic", pagination = new { kind = "cursor", pageSize = 3, sizeParameter = "limit", nextCursorPath = "meta.next_cursor" } },
            new Dictionary<string, string> { ["username"] = "user", ["password"] = "pass" });

        var pages = await Harness.ReadAsync(Connector, context, RestConnector.RecordsStream);

        Assert.Equal(ids, Harness.Ids(pages));
        Assert.Equal(3, _api.RequestsTo("/cursor/items").Count);
        Assert.All(_api.RequestsTo("/cursor/items"), r => Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pass")), r.Headers["Authorization"]));
    }

    [Fact]
    public async Task Link_pagination_follows_rel_next()
    {
        var ids = Seed(5);
        var context = _hub.Context(new { url = $"{_api.BaseAddress}link/items", pagination = new { kind = "link", pageSize = 2 } });

        var pages = await Harness.ReadAsync(Connector, context, RestConnector.RecordsStream);

        Assert.Equal(ids, Harness.Ids(pages));
        Assert.Equal(3, _api.RequestsTo("/link/items").Count);
    }

    [Fact]
    public async Task Incremental_reads_resume_from_the_cursor_field_without_losing_or_repeating_ties()
    {
        var ids = Seed(8, tiedAtStart: 5);
        var context = _hub.Context(new
        {
            url = $"{_api.BaseAddress}page/items?since={{cursor}}",
            recordSelector = "data.items",
            cursorField = "updated_at",
            deletedField = "deleted",
            pagination = new { kind = "page", pageSize = 3 },
        });

        var first = await Harness.ReadAsync(Connector, context, RestConnector.RecordsStream, maxPages: 1);
        var rest = await Harness.ReadAsync(Connector, context, RestConnector.RecordsStream, first[^1].Cursor);
        var read = Harness.Ids(first.Concat(rest));

        Assert.Equal(ids, read);
        Assert.Contains("since=2025-05-01T08%3A00%3A00Z", _api.RequestsTo("/page/items")[1].PathAndQuery, StringComparison.Ordinal);

        var gone = _api.AddItem("removed at the source", T0.AddHours(1), deleted: true);
        var later = await Harness.ReadAsync(Connector, context, RestConnector.RecordsStream, rest[^1].Cursor);
        var deletion = Assert.Single(later.SelectMany(p => p.Records));
        Assert.Equal((gone.ToString(System.Globalization.CultureInfo.InvariantCulture), RecordOperation.Delete), (deletion.Id, deletion.Operation));
    }

    [Fact]
    public async Task Records_are_handed_off_while_the_response_is_still_arriving()
    {
        Seed(40);
        var context = _hub.Context(new { url = $"{_api.BaseAddress}gated", recordSelector = "data.items", pagination = new { pageSize = 5 } });

        var read = new List<string>();
        await using (var pages = Connector.ReadAsync(context, RestConnector.RecordsStream, null, CancellationToken.None).GetAsyncEnumerator())
        {
            // The double holds the second half of its body until released: the first page must come without it.
            Assert.True(await pages.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
            read.AddRange(pages.Current.Records.Select(r => r.Id));
            _api.ReleaseGate();
            while (await pages.MoveNextAsync())
            {
                read.AddRange(pages.Current.Records.Select(r => r.Id));
            }
        }

        Assert.Equal(Enumerable.Range(1, 40).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), read);
    }

    [Fact]
    public async Task Pacing_beyond_the_burst_is_a_visible_wait()
    {
        // The REST connector's bucket holds 10 requests and refills 10 a second (real time): 41 requests must wait
        // unless each took over 100 ms, so a loaded machine cannot make this pass without pacing.
        Seed(40);
        var context = _hub.Context(new { url = $"{_api.BaseAddress}page/items", recordSelector = "data.items", pagination = new { kind = "page", pageSize = 1 } });

        var pages = await Harness.ReadAsync(Connector, context, RestConnector.RecordsStream);

        Assert.Equal(40, Harness.Ids(pages).Count);
        Assert.Contains(_hub.Observer.Waits, w => w.Reason == "pacing" && w.Wait > TimeSpan.Zero);
        Assert.Equal(_hub.Observer.Waits.Count, _hub.Observer.Resumed);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_allowed_fails_with_the_wait_instead_of_hanging()
    {
        Seed(1);
        _api.Fail("/page/items", 429, """{"error":"slow down"}""", ("Retry-After", "7200"));
        var context = _hub.Context(new { url = $"{_api.BaseAddress}page/items", recordSelector = "data.items" });

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => Harness.ReadAsync(Connector, context, RestConnector.RecordsStream));

        Assert.Equal(TimeSpan.FromHours(2), error.Wait);
        Assert.Equal(429, error.StatusCode);
        Assert.Single(_api.RequestsTo("/page/items"));
    }

    [Fact]
    public async Task Retries_exhausted_on_429_raise_RateLimitedException_with_the_wait()
    {
        Seed(1);
        for (var i = 0; i < 3; i++)
        {
            _api.Fail("/page/items", 429, "{}", ("Retry-After", "5"));
        }

        await using var hub = Harness.Create(settings: new Dictionary<string, string?> { ["Connectors:Resilience:MaxRetries"] = "2" });
        var context = hub.Context(new { url = $"{_api.BaseAddress}page/items", recordSelector = "data.items" });

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => Harness.ReadAsync(hub.Connector(RestConnector.ConnectorId), context, RestConnector.RecordsStream));

        Assert.Equal(TimeSpan.FromSeconds(5), error.Wait);
        Assert.Equal(2, hub.Observer.Waits.Count);
        Assert.Equal(3, _api.RequestsTo("/page/items").Count);
    }

    [Fact]
    public async Task Repeated_5xx_open_the_circuit_and_stop_calling_the_source()
    {
        for (var i = 0; i < 6; i++)
        {
            _api.Fail("/page/items", 500, """{"error":"boom"}""");
        }

        await using var hub = Harness.Create(settings: new Dictionary<string, string?>
        {
            ["Connectors:Resilience:BreakerMinimumThroughput"] = "3",
            ["Connectors:Resilience:BreakerFailureRatio"] = "0.5",
        });
        var context = hub.Context(new { url = $"{_api.BaseAddress}page/items", recordSelector = "data.items" });

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(hub.Connector(RestConnector.ConnectorId), context, RestConnector.RecordsStream));

        Assert.Contains("circuit open", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _api.RequestsTo("/page/items").Count);
    }

    [Fact]
    public async Task A_source_that_does_not_answer_times_out_per_attempt_with_a_clear_error()
    {
        await using var hub = Harness.Create(settings: new Dictionary<string, string?>
        {
            ["Connectors:Http:AttemptTimeout"] = "00:00:01",
            ["Connectors:Resilience:MaxRetries"] = "1",
        });
        var context = hub.Context(new { url = $"{_api.BaseAddress}slow" });

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(hub.Connector(RestConnector.ConnectorId), context, RestConnector.RecordsStream));
        _api.ReleaseGate();

        Assert.Null(error.StatusCode);
        Assert.Contains("Connectors__Http__AttemptTimeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _api.RequestsTo("/slow").Count);
    }

    [Fact]
    public async Task A_missing_record_selector_is_a_clear_error()
    {
        Seed(1);
        var context = _hub.Context(new { url = $"{_api.BaseAddress}page/items", recordSelector = "results" });

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(Connector, context, RestConnector.RecordsStream));

        Assert.Contains("'results'", error.Message, StringComparison.Ordinal);
    }
}
