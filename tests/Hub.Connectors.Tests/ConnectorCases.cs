using IntegrationHub.Connectors.GitHub;
using IntegrationHub.Connectors.Jira;
using IntegrationHub.Connectors.Rest;
using IntegrationHub.Connectors.Slack;
using IntegrationHub.Connectors.Zulip;

namespace IntegrationHub.Connectors.Tests;

/// <summary>How each HTTP connector is pointed at a <see cref="ScriptedApi"/>: its configuration, credential, stream and page path.</summary>
internal static class ConnectorCases
{
    /// <summary>A credential value no test ever expects to see outside the origin it was configured for.</summary>
    public const string Secret = "s3cr3t-credential-7f41";

    /// <summary>A Slack token with <see cref="Secret"/> inside (the credential record requires the <c>xoxb-</c> shape).</summary>
    public const string SlackToken = "xoxb-" + Secret;

    public static readonly string[] Http = ["github", "jira", "slack", "zulip", "rest-apikey-header", "rest-apikey-query", "rest-bearer", "rest-basic"];

    public static TheoryData<string> All => [.. Http];

    /// <summary>The connector id, configuration, credential values, stream and the path its reads ask for.</summary>
    public static (string Connector, object Configuration, Dictionary<string, string> Credential, string Stream, string Path) For(string name, string url, object? pagination = null) =>
        Configure(name, url, pagination ?? new { kind = "none" });

    private static (string Connector, object Configuration, Dictionary<string, string> Credential, string Stream, string Path) Configure(string name, string url, object pagination) => name switch
    {
        "github" => (GitHubConnector.ConnectorId, new { owner = "o", repository = "r", apiBaseUrl = url, pageSize = 5 }, new() { ["token"] = Secret }, GitHubConnector.IssuesStream, "/repos/o/r/issues"),
        "jira" => (JiraConnector.ConnectorId, new { siteUrl = url, pageSize = 5 }, new() { ["email"] = "bot@example.com", ["apiToken"] = Secret }, JiraConnector.IssuesStream, "/rest/api/3/search/jql"),
        "slack" => (SlackConnector.ConnectorId, new { channel = "C0123", pageSize = 5, apiBaseUrl = $"{url}/api" }, new() { ["botToken"] = SlackToken }, SlackConnector.MessagesStream, "/api/conversations.history"),
        "zulip" => (ZulipConnector.ConnectorId, new { siteUrl = url, pageSize = 5 }, new() { ["email"] = "bot@example.com", ["apiKey"] = Secret }, ZulipConnector.MessagesStream, "/api/v1/messages"),
        "rest-apikey-header" => Rest(new { url = $"{url}/items", recordSelector = "items", auth = "apiKey", apiKeyHeader = "X-Api-Key", pagination }, new() { ["apiKey"] = Secret }),
        "rest-apikey-query" => Rest(new { url = $"{url}/items", recordSelector = "items", auth = "apiKey", apiKeyQueryParameter = "api_key", pagination }, new() { ["apiKey"] = Secret }),
        "rest-bearer" => Rest(new { url = $"{url}/items", recordSelector = "items", auth = "bearer", pagination }, new() { ["token"] = Secret }),
        "rest-basic" => Rest(new { url = $"{url}/items", recordSelector = "items", auth = "basic", pagination }, new() { ["username"] = "bot", ["password"] = Secret }),
        "rest" => Rest(new { url = $"{url}/items", recordSelector = "items", pagination }, []),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static (string, object, Dictionary<string, string>, string, string) Rest(object configuration, Dictionary<string, string> credential) =>
        (RestConnector.ConnectorId, configuration, credential, RestConnector.RecordsStream, "/items");
}
