using System.Text;
using System.Text.Json;
using IntegrationHub.Connectors.Zulip;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Connectors.Tests;

public sealed class ZulipConnectorTests : IAsyncLifetime
{
    private readonly Harness _hub = Harness.Create();
    private readonly ZulipDouble _zulip;

    public ZulipConnectorTests() => _zulip = _hub.Own(new ZulipDouble(time: _hub.Clock));

    public Task InitializeAsync() => _zulip.StartAsync();

    public Task DisposeAsync() => _hub.DisposeAsync().AsTask();

    private IConnector Connector => _hub.Connector(ZulipConnector.ConnectorId);

    private ConnectorContext Context(string? key = null) => _hub.Context(
        new { siteUrl = _zulip.BaseAddress.ToString(), pageSize = 4, narrow = new[] { new { @operator = "channel", operand = "general" } } },
        new Dictionary<string, string> { ["email"] = _zulip.Email, ["apiKey"] = key ?? _zulip.ApiKey });

    private List<string> Seed(int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(_zulip.AddMessage("general", "topic", $"message {i}").ToString(System.Globalization.CultureInfo.InvariantCulture));
            _zulip.AddMessage("random", "topic", $"elsewhere {i}");
        }

        return ids;
    }

    [Fact]
    public async Task Reads_the_narrow_from_the_oldest_anchor_across_pages_with_basic_auth()
    {
        var ids = Seed(10);

        var pages = await Harness.ReadAsync(Connector, Context(), ZulipConnector.MessagesStream);

        Assert.Equal(ids, Harness.Ids(pages));
        var requests = _zulip.RequestsTo("/api/v1/messages");
        Assert.Equal(3, requests.Count);
        Assert.Contains("anchor=oldest", requests[0].PathAndQuery, StringComparison.Ordinal);
        Assert.Contains($"anchor={ids[4]}&include_anchor=false", requests[1].PathAndQuery, StringComparison.Ordinal);
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_zulip.Email}:{_zulip.ApiKey}"));
        Assert.All(requests, r => Assert.Equal(basic, r.Headers["Authorization"]));
    }

    [Fact]
    public async Task Resuming_from_a_page_anchor_loses_and_repeats_nothing()
    {
        var ids = Seed(10);

        var first = await Harness.ReadAsync(Connector, Context(), ZulipConnector.MessagesStream, maxPages: 1);
        var rest = await Harness.ReadAsync(Connector, Context(), ZulipConnector.MessagesStream, first[^1].Cursor);
        var added = _zulip.AddMessage("general", "topic", "new").ToString(System.Globalization.CultureInfo.InvariantCulture);
        var later = await Harness.ReadAsync(Connector, Context(), ZulipConnector.MessagesStream, rest[^1].Cursor);

        Assert.Equal(ids, Harness.Ids(first.Concat(rest)));
        Assert.Equal([added], Harness.Ids(later));
    }

    [Fact]
    public async Task A_429_waits_the_Retry_After_Zulip_names()
    {
        var ids = Seed(2);
        _zulip.RateLimitNext("/api/v1/messages", 7);

        var pages = await Harness.ReadAsync(Connector, Context(), ZulipConnector.MessagesStream);

        Assert.Equal(ids, Harness.Ids(pages));
        Assert.Equal((TimeSpan.FromSeconds(7), "429 Retry-After"), Assert.Single(_hub.Observer.Waits));
    }

    [Fact]
    public async Task A_5xx_is_retried()
    {
        var ids = Seed(2);
        _zulip.Fail("/api/v1/messages", 502, "<html>Bad gateway</html>");

        var pages = await Harness.ReadAsync(Connector, Context(), ZulipConnector.MessagesStream);

        Assert.Equal(ids, Harness.Ids(pages));
        Assert.Equal(2, _zulip.RequestsTo("/api/v1/messages").Count);
    }

    [Fact]
    public async Task A_401_is_a_clear_error_with_Zulips_message()
    {
        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(Connector, Context("wrong-key"), ZulipConnector.MessagesStream));

        Assert.Equal("zulip", error.ConnectorId);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("Zulip answered 401", error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid API key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_message_posts_a_form_and_returns_the_id()
    {
        var input = JsonSerializer.SerializeToElement(new { to = "general", topic = "deploys", content = "Deployed." });

        var result = await Connector.ExecuteActionAsync(Context(), ZulipConnector.SendMessage, input, CancellationToken.None);
        var missingTopic = await Assert.ThrowsAsync<ConnectorException>(() =>
            Connector.ExecuteActionAsync(Context(), ZulipConnector.SendMessage, JsonSerializer.SerializeToElement(new { to = "general", content = "x" }), CancellationToken.None));

        Assert.Equal("success", result.GetProperty("result").GetString());
        Assert.StartsWith("application/x-www-form-urlencoded", _zulip.RequestsTo("/api/v1/messages")[0].Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(400, missingTopic.StatusCode);
        Assert.Contains("Missing topic", missingTopic.Message, StringComparison.Ordinal);
        var pages = await Harness.ReadAsync(Connector, Context(), ZulipConnector.MessagesStream);
        Assert.Equal(result.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(Harness.Ids(pages)));
    }
}
