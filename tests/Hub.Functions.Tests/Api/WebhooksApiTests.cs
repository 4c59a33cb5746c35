using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Webhooks;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles;
using static IntegrationHub.Functions.Tests.Api.ApiCalls;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>
/// Issue 16 on the real Functions host: a GitHub issue event posted with a valid <c>X-Hub-Signature-256</c> appears once
/// in the integration's event log; tampered, unsigned, stale and replayed deliveries are refused or deduplicated; a
/// delivery acknowledged by a worker that died before publishing is published by the next one.
/// </summary>
[Collection(ApiHub.Name)]
public sealed class WebhooksApiTests(ApiHubFixture fixture)
{
    private readonly HubHost _hub = fixture.Hub;

    [Fact]
    public async Task A_signed_GitHub_issue_event_appears_once_and_tampered_or_replayed_deliveries_do_not()
    {
        var (client, _) = await _hub.TenantAsync("wh-github");
        using var _1 = client;
        var id = await GitHubIntegrationAsync(client);

        using var issued = await client.SendAsync(HttpMethod.Post, $"api/v1/integrations/{id}/webhook-secret");
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var view = await issued.ReadJsonAsync();
        var secret = view.GetProperty("secret").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", secret);
        Assert.Equal(new Uri(_hub.BaseAddress, $"api/v1/webhooks/{id}").ToString(), view.GetProperty("url").GetString());
        var integration = await client.GetFromJsonAsync<JsonElement>($"api/v1/integrations/{id}");
        Assert.Equal(view.GetProperty("url").GetString(), integration.GetProperty("webhookUrl").GetString());
        Assert.DoesNotContain(secret, integration.GetRawText(), StringComparison.Ordinal); // shown once only

        var body = """{"action":"opened","issue":{"id":7001,"number":1,"title":"Webhook issue","state":"open","updated_at":"2026-11-29T10:00:00Z"},"repository":{"full_name":"octo/hub"}}""";
        using var accepted = await PostAsync(id, body, GitHubHeaders(secret, body, "72d3162e-cc78-11e3-81ab-4c9367dc0958"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("accepted", (await accepted.ReadJsonAsync()).GetProperty("status").GetString());

        using var replayed = await PostAsync(id, body, GitHubHeaders(secret, body, "72d3162e-cc78-11e3-81ab-4c9367dc0958"));
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal("duplicate", (await replayed.ReadJsonAsync()).GetProperty("status").GetString());

        var tampered = body.Replace("Webhook issue", "Forged issue", StringComparison.Ordinal);
        var problem = await AssertProblemAsync(await PostAsync(id, tampered, GitHubHeaders(secret, body, "d-tampered")), HttpStatusCode.Unauthorized);
        Assert.Equal(WebhookRejections.BadSignature, problem.GetProperty("detail").GetString());
        await AssertProblemAsync(await PostAsync(id, body, GitHubHeaders("wrong-secret", body, "d-wrong")), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await PostAsync(id, body, [("X-GitHub-Delivery", "d-unsigned"), ("X-GitHub-Event", "issues")]), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await PostAsync("int-0000000000deadbeef", body, GitHubHeaders(secret, body, "d-unknown")), HttpStatusCode.NotFound);

        JsonElement events = default;
        await Eventually.TrueAsync(
            async () => (events = await client.GetFromJsonAsync<JsonElement>($"api/v1/events?integrationId={id}")).GetProperty("items").GetArrayLength() > 0,
            "the webhook's event is published");
        await Task.Delay(500); // anything published twice would show by now
        events = await client.GetFromJsonAsync<JsonElement>($"api/v1/events?integrationId={id}");
        var e = Assert.Single(events.GetProperty("items").EnumerateArray()).GetProperty("event");
        Assert.Equal("com.integrationhub.github.issues.upserted", e.GetProperty("type").GetString());
        Assert.Equal("7001", e.GetProperty("subject").GetString());
        Assert.Equal("Webhook issue", e.GetProperty("data").GetProperty("title").GetString());

        Assert.DoesNotContain(_hub.Logs.Lines, l => l.Contains(secret, StringComparison.Ordinal) || l.Contains("Forged issue", StringComparison.Ordinal));

        // Rotation: the old secret stops verifying at once.
        using var rotated = await client.SendAsync(HttpMethod.Post, $"api/v1/integrations/{id}/webhook-secret");
        var newSecret = (await rotated.ReadJsonAsync()).GetProperty("secret").GetString()!;
        Assert.NotEqual(secret, newSecret);
        await AssertProblemAsync(await PostAsync(id, body, GitHubHeaders(secret, body, "d-old-secret")), HttpStatusCode.Unauthorized);
        using var withNew = await PostAsync(id, body, GitHubHeaders(newSecret, body, "d-new-secret"));
        Assert.Equal(HttpStatusCode.Accepted, withNew.StatusCode);
    }

    [Fact]
    public async Task Slack_gets_its_challenge_back_and_stale_or_oversized_requests_are_refused()
    {
        var (client, _) = await _hub.TenantAsync("wh-slack");
        using var _1 = client;
        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "slack", connectorId = "slack", configuration = new { channel = "C0123456789" }, credentialId = await CredentialAsync(client, "slack", new { botToken = "xoxb-1234567890-abcdefghij" }) });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
        const string signingSecret = "8f742231b10e8888abcd99yyyzzz85a5";
        await AssertProblemAsync(await client.SendAsync(HttpMethod.Post, $"api/v1/integrations/{id}/webhook-secret"), HttpStatusCode.BadRequest, "secret");
        using var set = await client.SendAsync(HttpMethod.Post, $"api/v1/integrations/{id}/webhook-secret", new { secret = signingSecret });
        Assert.Equal(HttpStatusCode.Created, set.StatusCode);
        Assert.False((await set.ReadJsonAsync()).TryGetProperty("secret", out _), "Slack's signing secret is never echoed");

        var challenge = """{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""";
        using var answered = await PostAsync(id, challenge, SlackHeaders(signingSecret, challenge, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", (await answered.ReadJsonAsync()).GetProperty("challenge").GetString());

        var message = """{"type":"event_callback","event_id":"Ev0PV52K25","event":{"type":"message","channel":"C0123456789","text":"hi","ts":"1764410000.000200"}}""";
        var stale = await AssertProblemAsync(await PostAsync(id, message, SlackHeaders(signingSecret, message, DateTimeOffset.UtcNow.AddMinutes(-6))), HttpStatusCode.Unauthorized);
        Assert.Equal(WebhookRejections.StaleTimestamp, stale.GetProperty("detail").GetString());

        var huge = "{\"type\":\"event_callback\",\"pad\":\"" + new string('x', 1_100_000) + "\"}";
        await AssertProblemAsync(await PostAsync(id, huge, SlackHeaders(signingSecret, huge, DateTimeOffset.UtcNow)), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_delivery_acknowledged_by_a_worker_that_died_before_publishing_is_published_by_the_next()
    {
        var (client, _) = await _hub.TenantAsync("wh-kill");
        using var _1 = client;
        var id = await GitHubIntegrationAsync(client);
        using var issued = await client.SendAsync(HttpMethod.Post, $"api/v1/integrations/{id}/webhook-secret");
        var secret = (await issued.ReadJsonAsync()).GetProperty("secret").GetString()!;
        var body = """{"action":"edited","issue":{"id":7002,"number":2,"title":"Acked then killed","state":"open","updated_at":"2026-11-29T10:05:00Z"}}""";

        // The hub's own intake, on the host's database, acknowledges the delivery as the worker does; its dispatcher is
        // not running, as for a worker killed right after the 2xx. Then the real worker is killed too.
        var headers = GitHubHeaders(secret, body, "d-killed").ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);
        var outcome = await _hub.Stores.GetRequiredService<WebhookIntake>().ReceiveAsync(id, new WebhookRequest(headers, Encoding.UTF8.GetBytes(body)), default);
        Assert.IsType<WebhookOutcome.Accepted>(outcome);
        var killed = _hub.KillWorker();
        Assert.NotEmpty(killed);

        // The host starts a new worker; its start-up re-drive (and the DrainWebhooks timer) publish the pending delivery.
        await Eventually.TrueAsync(() => _hub.WorkerPids().Except(killed).Any(), "a new worker");
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    var events = await client.GetFromJsonAsync<JsonElement>($"api/v1/events?integrationId={id}");
                    return events.GetProperty("items").GetArrayLength() == 1;
                }
                catch (HttpRequestException)
                {
                    return false; // the new worker is not answering yet
                }
            },
            "the acknowledged delivery is published after the restart",
            TimeSpan.FromSeconds(60));
        await _hub.FireTimerAsync("DrainWebhooks");
        await Task.Delay(1000);
        var after = await client.GetFromJsonAsync<JsonElement>($"api/v1/events?integrationId={id}");
        Assert.Equal("Acked then killed", Assert.Single(after.GetProperty("items").EnumerateArray()).GetProperty("event").GetProperty("data").GetProperty("title").GetString());
    }

    private async Task<HttpResponseMessage> PostAsync(string integrationId, string body, IEnumerable<(string Name, string Value)> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/v1/webhooks/{integrationId}", UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await _hub.Client.SendAsync(request);
    }

    // GitHub signs the raw body: X-Hub-Signature-256: sha256=hex(HMAC-SHA256(secret, body)) (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries).
    private static (string Name, string Value)[] GitHubHeaders(string secret, string signedBody, string delivery) =>
        [("X-GitHub-Delivery", delivery), ("X-GitHub-Event", "issues"), ("X-Hub-Signature-256", "sha256=" + Hex(secret, signedBody))];

    // Slack: X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:{ts}:{body}")) (https://api.slack.com/authentication/verifying-requests-from-slack).
    private static (string Name, string Value)[] SlackHeaders(string secret, string body, DateTimeOffset at)
    {
        var ts = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", "v0=" + Hex(secret, $"v0:{ts}:{body}"))];
    }

    private static string Hex(string secret, string text) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(text)));

    private static async Task<string> GitHubIntegrationAsync(HttpClient client)
    {
        var credentialId = await CredentialAsync(client, "github", new { token = ApiHubFixture.Token });
        using var created = await client.SendAsync(
            HttpMethod.Post,
            "api/v1/integrations",
            new { name = "gh", connectorId = "github", configuration = new { owner = "octo", repository = "hub" }, credentialId, mapping = new { id = "$.id", title = "$.title" } });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task<string> CredentialAsync(HttpClient client, string connectorId, object values)
    {
        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", new { connectorId, name = connectorId, values });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
    }
}
