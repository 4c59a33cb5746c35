using IntegrationHub.Connectors.Rest;
using IntegrationHub.Connectors.Slack;
using IntegrationHub.Connectors.Zulip;

namespace IntegrationHub.Connectors.Tests;

/// <summary>
/// Issue 13, fault 6: errors that will fail the same way every time are classified permanent by the connector
/// layer, so the run engine (which retries only <see cref="ConnectorException.IsPermanent"/> = false) fails at once;
/// the error carries the external system's own words.
/// </summary>
public sealed class PermanentFailureTests : IAsyncLifetime
{
    private readonly Harness _hub = Harness.Create();
    private readonly ScriptedApi _api = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _api.Dispose();
    }

    [Fact]
    public async Task Slack_invalid_auth_in_a_200_answer_is_a_permanent_auth_failure_naming_invalid_auth()
    {
        _api.Json("/api/conversations.history", """{"ok":false,"error":"invalid_auth"}""");
        var (connector, configuration, credential, stream, path) = ConnectorCases.For("slack", _api.Url);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream));

        Assert.Equal(ConnectorErrorKind.Authentication, error.Kind);
        Assert.True(error.IsPermanent);
        Assert.Contains("invalid_auth", error.Message, StringComparison.Ordinal);
        Assert.Single(_api.Requests(path));
    }

    [Fact]
    public async Task A_rest_source_answering_200_with_invalid_auth_is_a_permanent_auth_failure_naming_invalid_auth()
    {
        // The reported fault: this body was retried 5 times and the run error said only "no array at 'items'".
        _api.Json("/items", """{"ok":false,"error":"invalid_auth"}""");
        var (connector, configuration, credential, stream, path) = ConnectorCases.For("rest-bearer", _api.Url, new { kind = "cursor", pageSize = 5 });

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream));

        Assert.Equal(ConnectorErrorKind.Authentication, error.Kind);
        Assert.True(error.IsPermanent);
        Assert.Contains("the API said: invalid_auth", error.Message, StringComparison.Ordinal);
        Assert.Single(_api.Requests(path));
    }

    public static TheoryData<string, int, string, string> AuthFailures => new()
    {
        { "github", 401, """{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}""", "Bad credentials" },
        { "github", 403, """{"message":"Resource not accessible by integration"}""", "Resource not accessible by integration" },
        { "jira", 401, """{"errorMessages":["Client must be authenticated to access this resource."],"errors":{}}""", "Client must be authenticated" },
        { "jira", 403, """{"errorMessages":["You do not have permission to search issues."]}""", "You do not have permission" },
        { "zulip", 401, """{"result":"error","msg":"Invalid API key","code":"INVALID_API_KEY"}""", "Invalid API key" },
        { "slack", 401, """{"ok":false,"error":"not_authed"}""", "not_authed" },
        { "rest-apikey-header", 401, """{"error":"invalid_api_key"}""", "invalid_api_key" },
        { "rest-basic", 403, """{"message":"forbidden"}""", "forbidden" },
    };

    [Theory]
    [MemberData(nameof(AuthFailures))]
    public async Task A_401_or_403_is_a_permanent_auth_failure_with_the_apis_message_and_no_retry(string name, int status, string body, string words)
    {
        var (connector, configuration, credential, stream, path) = ConnectorCases.For(name, _api.Url, new { kind = "cursor", pageSize = 5 });
        _api.Json(path, body, status);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream));

        Assert.Equal(ConnectorErrorKind.Authentication, error.Kind);
        Assert.True(error.IsPermanent);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ConnectorCases.Secret, error.Message, StringComparison.Ordinal);
        Assert.Single(_api.Requests(path));
    }

    [Fact]
    public async Task An_api_error_echoing_the_key_is_redacted()
    {
        _api.Json("/items", $$"""{"error":"unknown key {{ConnectorCases.Secret}}"}""", 401);
        var (connector, configuration, credential, stream, _) = ConnectorCases.For("rest-apikey-header", _api.Url);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(_hub.Connector(connector), _hub.Context(configuration, credential), stream));

        Assert.Contains("unknown key ***", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ConnectorCases.Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_5xx_stays_temporary_and_is_retried()
    {
        _api.Json("/items", """{"error":"upstream down"}""", 503);
        await using var hub = Harness.Create(settings: new Dictionary<string, string?> { ["Connectors:Resilience:MaxRetries"] = "2" });
        var (connector, configuration, credential, stream, path) = ConnectorCases.For("rest", _api.Url);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Harness.ReadAsync(hub.Connector(connector), hub.Context(configuration, credential), stream));

        Assert.Equal(ConnectorErrorKind.Transient, error.Kind);
        Assert.False(error.IsPermanent);
        Assert.Equal(3, _api.Requests(path).Count);
    }

    [Fact]
    public async Task An_invalid_configuration_is_permanent()
    {
        var error = await Assert.ThrowsAsync<ConnectorValidationException>(() => Harness.ReadAsync(_hub.Connector(RestConnector.ConnectorId), _hub.Context(new { url = 42 }), RestConnector.RecordsStream));

        Assert.Equal(ConnectorErrorKind.Configuration, error.Kind);
        Assert.True(error.IsPermanent);
    }

    [Fact]
    public async Task An_unknown_stream_is_permanent()
    {
        var error = Assert.Throws<ConnectorException>(() => _hub.Connector(RestConnector.ConnectorId).ReadAsync(_hub.Context(new { url = _api.Url }), "nope", null, CancellationToken.None));

        Assert.Equal(ConnectorErrorKind.Configuration, error.Kind);
        Assert.True(error.IsPermanent);
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("invalid_auth", ConnectorErrorKind.Authentication)]
    [InlineData("not_authed", ConnectorErrorKind.Authentication)]
    [InlineData("token_revoked", ConnectorErrorKind.Authentication)]
    [InlineData("account_inactive", ConnectorErrorKind.Authentication)]
    [InlineData("missing_scope", ConnectorErrorKind.Authentication)]
    [InlineData("channel_not_found", ConnectorErrorKind.Request)]
    [InlineData("ratelimited", ConnectorErrorKind.Transient)]
    [InlineData("internal_error", ConnectorErrorKind.Transient)]
    [InlineData("invalid_cursor", ConnectorErrorKind.Transient)]
    public void Slack_error_codes_are_classified(string code, ConnectorErrorKind kind) => Assert.Equal(kind, SlackConnector.ErrorKind(code));

    [Theory]
    [InlineData(200, "INVALID_API_KEY", ConnectorErrorKind.Authentication)]
    [InlineData(401, "UNAUTHORIZED", ConnectorErrorKind.Authentication)]
    [InlineData(200, "REALM_DEACTIVATED", ConnectorErrorKind.Authentication)]
    [InlineData(200, "USER_DEACTIVATED", ConnectorErrorKind.Authentication)]
    [InlineData(200, "BAD_REQUEST", ConnectorErrorKind.Request)]
    [InlineData(429, "RATE_LIMIT_HIT", ConnectorErrorKind.RateLimited)]
    public void Zulip_error_codes_are_classified(int status, string code, ConnectorErrorKind kind) => Assert.Equal(kind, ZulipConnector.ErrorKind(status, code));

    [Theory]
    [InlineData(null, ConnectorErrorKind.Transient)]
    [InlineData(200, ConnectorErrorKind.Transient)]
    [InlineData(302, ConnectorErrorKind.Request)]
    [InlineData(400, ConnectorErrorKind.Request)]
    [InlineData(401, ConnectorErrorKind.Authentication)]
    [InlineData(403, ConnectorErrorKind.Authentication)]
    [InlineData(404, ConnectorErrorKind.Request)]
    [InlineData(408, ConnectorErrorKind.Transient)]
    [InlineData(429, ConnectorErrorKind.RateLimited)]
    [InlineData(500, ConnectorErrorKind.Transient)]
    [InlineData(503, ConnectorErrorKind.Transient)]
    public void Statuses_imply_a_kind(int? status, ConnectorErrorKind kind) => Assert.Equal(kind, ConnectorException.KindOf(status));
}
