using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>
/// Issue 16 on the real host: an issue pushed by a GitHub webhook and then read unchanged by the integration's poll
/// (through the GitHub double) is one event: the poll counts it unchanged and publishes nothing.
/// </summary>
[Collection(RunsHub.Name)]
public sealed class WebhookThenPollTests(RunsHubFixture fixture)
{
    private readonly HubHost _hub = fixture.Hub;

    [Fact]
    public async Task An_issue_pushed_by_webhook_and_then_polled_unchanged_is_published_once()
    {
        var (client, _) = await _hub.TenantAsync($"whpoll-{Guid.NewGuid():N}"[..15]);
        using var _1 = client;
        var updated = DateTimeOffset.UtcNow.AddMinutes(-5);
        var issueId = fixture.GitHub.AddIssue("Pushed then polled", updated);
        using var credential = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", new { connectorId = "github", name = "gh", values = new { token = fixture.GitHub.Token } });
        Assert.True(credential.StatusCode == HttpStatusCode.Created, await credential.Content.ReadAsStringAsync());
        using var created = await client.SendAsync(
            HttpMethod.Post,
            "api/v1/integrations",
            new
            {
                name = "gh",
                connectorId = "github",
                credentialId = (await credential.ReadJsonAsync()).GetProperty("id").GetString(),
                configuration = new { owner = "octo", repository = "hub", apiBaseUrl = fixture.GitHub.BaseAddress.ToString().TrimEnd('/') },
                mapping = new { id = "$.id", title = "$.title", state = "$.state" },
            });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
        using var issued = await client.SendAsync(HttpMethod.Post, $"api/v1/integrations/{id}/webhook-secret");
        var secret = (await issued.ReadJsonAsync()).GetProperty("secret").GetString()!;

        // GitHub's issues event carries the same issue object its REST API lists.
        var iso = updated.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var body = $$$"""{"action":"edited","issue":{"id":{{{issueId}}},"number":1,"title":"Pushed then polled","state":"open","updated_at":"{{{iso}}}"},"repository":{"full_name":"octo/hub"}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/v1/webhooks/{id}", UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-GitHub-Event", "issues");
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body))));
        using var accepted = await _hub.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await Eventually.TrueAsync(async () => (await client.GetFromJsonAsync<JsonElement>($"api/v1/events?integrationId={id}")).GetProperty("items").GetArrayLength() == 1, "the webhook's event");

        using var started = await client.PostAsync(new Uri($"api/v1/integrations/{id}/run", UriKind.Relative), null);
        started.EnsureSuccessStatusCode();
        var location = started.Headers.Location!.ToString();
        JsonElement run = default;
        await Eventually.TrueAsync(async () => (run = await client.GetFromJsonAsync<JsonElement>(location)).GetProperty("status").GetString() is "succeeded" or "failed", "the poll to end", TimeSpan.FromSeconds(60));

        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("progress").GetProperty("recordsRead").GetInt64());
        Assert.Equal(0, run.GetProperty("progress").GetProperty("recordsPublished").GetInt64());
        Assert.Equal(1, run.GetProperty("progress").GetProperty("recordsUnchanged").GetInt64());
        var events = await client.GetFromJsonAsync<JsonElement>($"api/v1/events?integrationId={id}");
        Assert.Single(events.GetProperty("items").EnumerateArray());
    }
}
