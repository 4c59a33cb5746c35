using System.Text;

namespace IntegrationHub.Connectors.Tests;

/// <summary>
/// Issue 13, fault 8: no credential of any kind (Authorization, a custom API-key header, a query parameter, a cookie)
/// reaches another origin through a redirect. The source redirects to a second WireMock server on another loopback
/// port (another origin, RFC 6454) that records what it receives.
/// </summary>
public sealed class RedirectCredentialTests : IAsyncLifetime
{
    private static readonly string[] Forms =
    [
        ConnectorCases.Secret,
        Uri.EscapeDataString(ConnectorCases.Secret),
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"bot:{ConnectorCases.Secret}")),
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"bot@example.com:{ConnectorCases.Secret}")),
    ];

    private readonly Harness _hub = Harness.Create();
    private readonly ScriptedApi _source = new();
    private readonly ScriptedApi _elsewhere = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _source.Dispose();
        _elsewhere.Dispose();
    }

    [Theory]
    [MemberData(nameof(ConnectorCases.All), MemberType = typeof(ConnectorCases))]
    public async Task A_redirect_to_another_origin_carries_no_credential(string name)
    {
        var (connector, configuration, credential, stream, _) = ConnectorCases.For(name, _source.Url);
        _source.Redirect("/*", $"{_elsewhere.Url}/landing?x=1", 302, ("Set-Cookie", $"session={ConnectorCases.Secret}; Path=/"));
        _elsewhere.Json("/landing", """{"ok":false,"error":"not_authed","result":"error","msg":"no"}""", 401);

        await Assert.ThrowsAnyAsync<ConnectorException>(() => Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream));

        Assert.NotEmpty(_source.Requests());
        var received = Assert.Single(_elsewhere.Requests());
        Assert.False(received.Headers?.ContainsKey("Authorization") ?? false);
        Assert.False(received.Headers?.ContainsKey("Cookie") ?? false);
        Assert.False(received.Headers?.ContainsKey("X-Api-Key") ?? false);
        foreach (var (header, values) in received.Headers ?? new Dictionary<string, WireMock.Types.WireMockList<string>>())
        {
            Assert.All(values, v => Assert.DoesNotContain(Forms, f => v.Contains(f, StringComparison.Ordinal)));
        }

        Assert.DoesNotContain(Forms, f => received.AbsoluteUrl.Contains(f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redirect_to_another_origin_whose_url_carries_the_key_is_not_followed()
    {
        var (connector, configuration, credential, stream, _) = ConnectorCases.For("rest-apikey-query", _source.Url);
        _source.Redirect("/*", $"{_elsewhere.Url}/landing?api_key={ConnectorCases.Secret}");

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream));

        Assert.Empty(_elsewhere.Requests());
        Assert.True(error.IsPermanent);
        Assert.Contains("another origin", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ConnectorCases.Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_within_the_origin_keeps_the_credential()
    {
        var (connector, configuration, credential, stream, _) = ConnectorCases.For("rest-apikey-header", _source.Url);
        _source.Redirect("/items", $"{_source.Url}/moved", 301);
        _source.Json("/moved", """{"items":[{"id":"a"}]}""");

        var pages = await Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream);

        Assert.Equal(["a"], Harness.Ids(pages));
        var moved = Assert.Single(_source.Requests("/moved"));
        Assert.Equal(ConnectorCases.Secret, moved.Headers!["X-Api-Key"].Single());
    }

    [Fact]
    public async Task Credentials_stay_off_every_later_hop_once_a_redirect_left_the_origin()
    {
        // source → elsewhere/hop (absolute) → /landing (relative to elsewhere) → source/back (absolute, the first origin again)
        var (connector, configuration, credential, stream, _) = ConnectorCases.For("rest-apikey-header", _source.Url);
        _source.Redirect("/items", $"{_elsewhere.Url}/hop");
        _elsewhere.Redirect("/hop", "/landing");
        _elsewhere.Redirect("/landing", $"{_source.Url}/back");
        _source.Json("/back", """{"items":[{"id":"a"}]}""");

        var pages = await Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream);

        Assert.Equal(["a"], Harness.Ids(pages));
        Assert.Single(_elsewhere.Requests("/landing"));
        Assert.All(_elsewhere.Requests(), r => Assert.False(r.Headers?.ContainsKey("X-Api-Key") ?? false));
        Assert.False(Assert.Single(_source.Requests("/back")).Headers?.ContainsKey("X-Api-Key") ?? false);
    }

    [Fact]
    public async Task A_cookie_set_by_the_source_is_not_sent_back()
    {
        var (connector, configuration, credential, stream, _) = ConnectorCases.For("rest", _source.Url);
        _source.Redirect("/items", $"{_source.Url}/moved", 302, ("Set-Cookie", "session=abc; Path=/"));
        _source.Json("/moved", """{"items":[{"id":"a"}]}""");

        await Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream);

        Assert.False(Assert.Single(_source.Requests("/moved")).Headers?.ContainsKey("Cookie") ?? false);
    }
}
