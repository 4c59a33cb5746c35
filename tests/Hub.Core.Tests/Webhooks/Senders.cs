using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IntegrationHub.Connectors;

namespace IntegrationHub.Core.Tests.Webhooks;

/// <summary>
/// Doubles of the senders: each signs a body the way its system documents, computed here independently of the hub's
/// code (HMACSHA256 over the documented base string, hex).
/// </summary>
internal static class Senders
{
    /// <summary>GitHub: <c>X-Hub-Signature-256: sha256=hex(HMAC-SHA256(secret, body))</c>, <c>X-GitHub-Delivery</c>, <c>X-GitHub-Event</c> (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries).</summary>
    public static WebhookRequest GitHub(string secret, string body, string delivery, string kind = "issues", string? signatureOverride = null) =>
        Request(body, ("X-GitHub-Delivery", delivery), ("X-GitHub-Event", kind), ("X-Hub-Signature-256", signatureOverride ?? "sha256=" + Hex(secret, body)), ("User-Agent", "GitHub-Hookshot/test"));

    /// <summary>Slack: <c>X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))</c> with <c>X-Slack-Request-Timestamp: {ts}</c> (https://api.slack.com/authentication/verifying-requests-from-slack).</summary>
    public static WebhookRequest Slack(string secret, string body, DateTimeOffset at)
    {
        var ts = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return Request(body, ("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", "v0=" + Hex(secret, $"v0:{ts}:{body}")));
    }

    /// <summary>Jira Cloud admin webhook with a secret: <c>X-Hub-Signature: sha256=hex(HMAC-SHA256(secret, body))</c>, <c>X-Atlassian-Webhook-Identifier</c> (https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks).</summary>
    public static WebhookRequest Jira(string secret, string body, string identifier) =>
        Request(body, ("X-Atlassian-Webhook-Identifier", identifier), ("X-Hub-Signature", "sha256=" + Hex(secret, body)), ("X-Atlassian-Webhook-Flow", "Primary"));

    /// <summary>Zulip outgoing webhook: the bot's token in the body (https://zulip.com/api/outgoing-webhook-payload).</summary>
    public static WebhookRequest Zulip(string body) => Request(body);

    /// <summary>A REST source signing with a configured header.</summary>
    public static WebhookRequest Rest(string secret, string body, string header, string prefix, string deliveryHeader, string delivery) =>
        Request(body, (header, prefix + Hex(secret, body).ToUpperInvariant()), (deliveryHeader, delivery));

    public static string Hex(string secret, string text) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(text)));

    public static WebhookRequest Request(string body, params (string Name, string Value)[] headers) =>
        new(headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase), Encoding.UTF8.GetBytes(body));

    /// <summary>A GitHub <c>issues</c> event body as GitHub sends it (trimmed to the fields that matter).</summary>
    public static string GitHubIssue(long id, string title, string updatedAt, string action = "edited") =>
        $$$"""{"action":"{{{action}}}","issue":{"id":{{{id}}},"number":{{{id % 1000}}},"title":"{{{title}}}","state":"open","updated_at":"{{{updatedAt}}}","user":{"login":"octocat"}},"repository":{"full_name":"acme/widgets"},"sender":{"login":"octocat"}}""";
}
