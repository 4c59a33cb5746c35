using System.Text.Json;
using IntegrationHub.Connectors.Slack;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Connectors.Tests;

public sealed class SlackConnectorTests : IAsyncLifetime
{
    private const string Channel = "C0123ABCD";
    private readonly SlackDouble _slack = new();
    private readonly Harness _hub = Harness.Create();

    public Task InitializeAsync() => _slack.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private IConnector Connector => _hub.Connector(SlackConnector.ConnectorId);

    private ConnectorContext Context(string? token = null) =>
        _hub.Context(new { channel = Channel, pageSize = 10, apiBaseUrl = $"{_slack.BaseAddress}api" }, new Dictionary<string, string> { ["botToken"] = token ?? _slack.Token });

    private List<string> Seed(int count) => Enumerable.Range(1, count).Select(i => _slack.AddMessage(Channel, $"message {i}")).ToList();

    [Fact]
    public async Task Reads_every_message_once_across_cursor_pages_with_a_bearer_token()
    {
        var all = Seed(25);

        var pages = await Harness.ReadAsync(Connector, Context(), SlackConnector.MessagesStream);

        Assert.Equal(3, pages.Count);
        Assert.Equal(all.Order(), Harness.Ids(pages).Order());
        var requests = _slack.RequestsTo("conversations.history");
        Assert.All(requests, r => Assert.Equal($"Bearer {_slack.Token}", r.Headers["Authorization"]));
        Assert.Contains("cursor=", requests[1].PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resuming_from_any_page_cursor_loses_and_repeats_nothing()
    {
        var all = Seed(25);

        var first = await Harness.ReadAsync(Connector, Context(), SlackConnector.MessagesStream, maxPages: 1);
        _slack.AddMessage(Channel, "arrived during the sweep");
        var rest = await Harness.ReadAsync(Connector, Context(), SlackConnector.MessagesStream, first[^1].Cursor);

        var ids = Harness.Ids(first.Concat(rest));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(all.Order(), ids.Order());

        // The finished sweep's cursor picks up exactly what arrived since it started.
        var later = await Harness.ReadAsync(Connector, Context(), SlackConnector.MessagesStream, rest[^1].Cursor);
        Assert.Equal(["arrived during the sweep"], later.SelectMany(p => p.Records).Select(r => r.Data.GetProperty("text").GetString()));

        var newer = _slack.AddMessage(Channel, "newest");
        var again = await Harness.ReadAsync(Connector, Context(), SlackConnector.MessagesStream, later[^1].Cursor);
        Assert.Equal([newer], Harness.Ids(again));
    }

    [Fact]
    public async Task A_429_waits_the_Retry_After_it_names_then_continues()
    {
        var all = Seed(15);
        _slack.RateLimitNext("conversations.history", 30);

        var pages = await Harness.ReadAsync(Connector, Context(), SlackConnector.MessagesStream);

        Assert.Equal(all.Order(), Harness.Ids(pages).Order());
        var wait = Assert.Single(_hub.Observer.Waits, w => w.Reason.StartsWith("429", StringComparison.Ordinal));
        Assert.Equal(TimeSpan.FromSeconds(30), wait.Wait);
        Assert.Equal("429 Retry-After", wait.Reason);
        Assert.True(_hub.Observer.Resumed >= 1);
    }

    [Fact]
    public async Task A_5xx_is_retried()
    {
        var all = Seed(5);
        _slack.Fail("conversations.history", 503, "{}");

        var pages = await Harness.ReadAsync(Connector, Context(), SlackConnector.MessagesStream);

        Assert.Equal(all.Order(), Harness.Ids(pages).Order());
        Assert.Equal(2, _slack.RequestsTo("conversations.history").Count);
    }

    [Fact]
    public async Task An_ok_false_answer_is_a_clear_error_naming_Slack_and_the_error_code()
    {
        Seed(1);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(Connector, Context("xoxb-wrong"), SlackConnector.MessagesStream));

        Assert.Equal("slack", error.ConnectorId);
        Assert.Contains("Slack", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid_auth", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("xoxb-wrong", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_message_posts_json_to_chat_postMessage()
    {
        var input = JsonSerializer.SerializeToElement(new { text = "hello from the hub" });

        var result = await Connector.ExecuteActionAsync(Context(), SlackConnector.SendMessage, input, CancellationToken.None);

        Assert.True(result.GetProperty("ok").GetBoolean());
        var post = Assert.Single(_slack.RequestsTo("chat.postMessage"));
        Assert.StartsWith("application/json", post.Headers["Content-Type"], StringComparison.Ordinal);
        var pages = await Harness.ReadAsync(Connector, Context(), SlackConnector.MessagesStream);
        Assert.Equal(result.GetProperty("ts").GetString(), Assert.Single(Harness.Ids(pages)));
    }

    [Fact]
    public async Task Check_reports_the_workspace_or_the_refusal()
    {
        var ok = await Connector.CheckAsync(Context(), CancellationToken.None);
        var refused = await Connector.CheckAsync(Context("xoxb-wrong"), CancellationToken.None);

        Assert.True(ok.Succeeded, ok.Message);
        Assert.False(refused.Succeeded);
        Assert.Contains("invalid_auth", refused.Message, StringComparison.Ordinal);
    }
}
