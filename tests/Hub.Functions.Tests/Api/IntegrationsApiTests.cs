using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Functions.Tests.Infrastructure;
using static IntegrationHub.Functions.Tests.Api.ApiCalls;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>Integrations through the running hub: definitions validated as a whole and named by field, tenants kept apart, conditional updates.</summary>
[Collection(ApiHub.Name)]
public sealed class IntegrationsApiTests(ApiHubFixture fixture)
{
    private const string Token = "ghp_IntegrationTestToken0123456789";
    private readonly HubHost _hub = fixture.Hub;

    private static object GitHubConfiguration => new { owner = "octo", repository = "hub" };

    [Fact]
    public async Task A_sample_integration_is_created_read_listed_replaced_and_deleted()
    {
        var (client, _) = await _hub.TenantAsync("int-crud");
        using var _1 = client;

        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "Demo", connectorId = "sample", configuration = new { count = 10 }, schedule = "0 */5 * * * *" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await created.ReadJsonAsync();
        var id = view.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/integrations/{id}", created.Headers.Location?.ToString());
        Assert.NotNull(created.Headers.ETag);
        Assert.Equal("events", view.GetProperty("stream").GetString()); // the connector's first stream
        Assert.Equal("active", view.GetProperty("status").GetString());
        Assert.True(view.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("lastRun").ValueKind);
        Assert.Equal(10, view.GetProperty("configuration").GetProperty("count").GetInt32());

        using var read = await client.GetAsync(new Uri($"api/v1/integrations/{id}", UriKind.Relative));
        Assert.Equal(created.Headers.ETag, read.Headers.ETag);
        Assert.Equal("0 */5 * * * *", (await read.ReadJsonAsync()).GetProperty("schedule").GetString());

        Assert.Equal([id], await IdsAsync(client, "api/v1/integrations?connectorId=sample"));
        Assert.Empty(await IdsAsync(client, "api/v1/integrations?connectorId=github"));
        Assert.Empty(await IdsAsync(client, "api/v1/integrations?status=disabled"));

        using var replaced = await client.SendAsync(
            HttpMethod.Put,
            $"api/v1/integrations/{id}",
            new { name = "Demo (paused)", connectorId = "sample", configuration = new { count = 20, pageSize = 5 }, enabled = false, topic = "demo.events", mapping = new { seq = "$.sequence" } },
            ifMatch: read.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var after = await replaced.ReadJsonAsync();
        Assert.Equal("disabled", after.GetProperty("status").GetString());
        Assert.Equal("demo.events", after.GetProperty("topic").GetString());
        Assert.Equal("$.sequence", after.GetProperty("mapping").GetProperty("seq").GetString());
        Assert.False(after.TryGetProperty("schedule", out var schedule) && schedule.ValueKind != JsonValueKind.Null, "a full replace without a schedule clears it");
        Assert.Equal([id], await IdsAsync(client, "api/v1/integrations?status=disabled"));

        using var deleted = await client.DeleteAsync(new Uri($"api/v1/integrations/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertProblemAsync(await client.GetAsync(new Uri($"api/v1/integrations/{id}", UriKind.Relative)), HttpStatusCode.NotFound);
        Assert.Empty(await IdsAsync(client, "api/v1/integrations"));
    }

    [Fact]
    public async Task A_github_integration_uses_a_credential_of_the_tenant_and_never_shows_its_value()
    {
        var (client, _) = await _hub.TenantAsync("int-github");
        using var _1 = client;
        var credentialId = await CredentialAsync(client, "github", new { token = Token });

        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "Issues", connectorId = "github", credentialId, configuration = GitHubConfiguration, stream = "issue_comments" });
        var text = await created.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = JsonDocument.Parse(text).RootElement;
        Assert.Equal(credentialId, view.GetProperty("credentialId").GetString());
        Assert.Equal("issue_comments", view.GetProperty("stream").GetString());
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, await client.GetStringAsync(new Uri("api/v1/integrations", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"configuration\": {\"count\": \"ten\"}}", "configuration.count")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"configuration\": {\"count\": -1}}", "configuration.count")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"configuration\": {\"colour\": \"red\"}}", "configuration.colour")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"configuration\": [1]}", "configuration")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"stream\": \"orders\"}", "stream")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"schedule\": \"every day\"}", "schedule")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"schedule\": \"0 99 * * * *\"}", "schedule")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"mapping\": {\"title\": 5}}", "mapping.title")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"topic\": \"a/b\"}", "topic")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"credentialId\": \"cred-0\"}", "credentialId")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"nope\"}", "connectorId")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"github\", \"configuration\": {\"owner\": \"octo\", \"repository\": \"hub\"}}", "credentialId")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"github\", \"credentialId\": \"cred-missing\", \"configuration\": {\"repository\": \"hub\"}}", "configuration.owner")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"github\", \"credentialId\": \"cred-missing\", \"configuration\": {\"owner\": \"octo\", \"repository\": \"hub\"}}", "credentialId")]
    public async Task An_invalid_definition_is_refused_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var (client, _) = await _hub.TenantAsync("int-v-" + (uint)HashCode.Combine(body, field));
        using var _1 = client;

        using var response = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Empty(await IdsAsync(client, "api/v1/integrations"));
    }

    [Fact]
    public async Task A_schedule_error_quotes_the_parsers_message_and_every_error_is_reported_at_once()
    {
        var (client, _) = await _hub.TenantAsync("int-all-errors");
        using var _1 = client;

        using var response = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "x", connectorId = "sample", schedule = "0 */5 * *", stream = "nope", configuration = new { pageSize = 0 } });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["configuration.pageSize", "schedule", "stream"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("has 4 fields; NCRONTAB needs six", errors.GetProperty("schedule")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credential_of_another_connector_or_another_tenant_is_refused()
    {
        var (client, _) = await _hub.TenantAsync("int-cred-a");
        var (other, _) = await _hub.TenantAsync("int-cred-b");
        using var _1 = client;
        using var _2 = other;
        var jira = await CredentialAsync(client, "jira", new { email = "bot@example.com", apiToken = "jira-token-value-123456" });
        var foreign = await CredentialAsync(other, "github", new { token = Token });

        using var wrongConnector = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "x", connectorId = "github", credentialId = jira, configuration = GitHubConfiguration });
        using var wrongTenant = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "x", connectorId = "github", credentialId = foreign, configuration = GitHubConfiguration });

        var problem = await AssertProblemAsync(wrongConnector, HttpStatusCode.BadRequest, "credentialId");
        Assert.Contains("jira", problem.GetProperty("errors").GetProperty("credentialId")[0].GetString(), StringComparison.Ordinal);
        await AssertProblemAsync(wrongTenant, HttpStatusCode.BadRequest, "credentialId");
        Assert.Empty(await IdsAsync(client, "api/v1/integrations"));
    }

    [Theory]
    [InlineData("{\"name\": \"x\", \"connectorId\": ", "connectorId")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"enabled\": \"yes\"}", "enabled")]
    [InlineData("{\"connectorId\": \"sample\"}", "$")]
    [InlineData("{\"name\": \"x\", \"connectorId\": \"sample\", \"owner\": \"octo\"}", "owner")]
    [InlineData("{\"name\": null, \"connectorId\": \"sample\"}", "name")]
    public async Task Bad_bodies_get_a_problem_naming_the_field_and_store_nothing(string body, string field)
    {
        var (client, _) = await _hub.TenantAsync("int-b-" + (uint)HashCode.Combine(body));
        using var _1 = client;

        using var response = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Empty(await IdsAsync(client, "api/v1/integrations"));
    }

    [Fact]
    public async Task A_huge_body_is_too_large_and_nothing_is_stored()
    {
        var (client, _) = await _hub.TenantAsync("int-huge");
        using var _1 = client;
        var huge = JsonSerializer.Serialize(new { name = "huge", connectorId = "sample", mapping = new { text = new { @const = new string('x', 400_000) } } });

        using var response = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", huge);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(await IdsAsync(client, "api/v1/integrations"));
    }

    [Fact]
    public async Task Another_tenants_integration_cannot_be_read_replaced_or_deleted()
    {
        var (owner, _) = await _hub.TenantAsync("int-owner");
        var (other, _) = await _hub.TenantAsync("int-other");
        using var _1 = owner;
        using var _2 = other;
        var id = await SampleAsync(owner, "Mine");

        await AssertProblemAsync(await other.GetAsync(new Uri($"api/v1/integrations/{id}", UriKind.Relative)), HttpStatusCode.NotFound);
        await AssertProblemAsync(await other.SendAsync(HttpMethod.Put, $"api/v1/integrations/{id}", new { name = "Theirs", connectorId = "sample" }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await other.DeleteAsync(new Uri($"api/v1/integrations/{id}", UriKind.Relative)), HttpStatusCode.NotFound);

        Assert.Empty(await IdsAsync(other, "api/v1/integrations"));
        Assert.Equal("Mine", (await owner.GetFromJsonAsync<JsonElement>($"api/v1/integrations/{id}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_stale_if_match_is_refused_and_changes_nothing()
    {
        var (client, _) = await _hub.TenantAsync("int-stale");
        using var _1 = client;
        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "v1", connectorId = "sample" });
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
        using var second = await client.SendAsync(HttpMethod.Put, $"api/v1/integrations/{id}", new { name = "v2", connectorId = "sample" }, ifMatch: created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        await AssertProblemAsync(await client.SendAsync(HttpMethod.Put, $"api/v1/integrations/{id}", new { name = "v3", connectorId = "sample" }, ifMatch: created.Headers.ETag.Tag), HttpStatusCode.PreconditionFailed);
        await AssertProblemAsync(await client.SendAsync(HttpMethod.Delete, $"api/v1/integrations/{id}", ifMatch: created.Headers.ETag.Tag), HttpStatusCode.PreconditionFailed);

        Assert.Equal("v2", (await client.GetFromJsonAsync<JsonElement>($"api/v1/integrations/{id}")).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, $"api/v1/integrations/{id}", ifMatch: second.Headers.ETag!.Tag)).StatusCode);
    }

    [Fact]
    public async Task A_replace_cannot_move_an_integration_to_another_connector_or_stream()
    {
        var (client, _) = await _hub.TenantAsync("int-move");
        using var _1 = client;
        var id = await SampleAsync(client, "Demo");
        var credentialId = await CredentialAsync(client, "github", new { token = Token });

        using var connector = await client.SendAsync(HttpMethod.Put, $"api/v1/integrations/{id}", new { name = "Demo", connectorId = "github", credentialId, configuration = GitHubConfiguration });

        await AssertProblemAsync(connector, HttpStatusCode.BadRequest, "connectorId");
        Assert.Equal("sample", (await client.GetFromJsonAsync<JsonElement>($"api/v1/integrations/{id}")).GetProperty("connectorId").GetString());
    }

    [Fact]
    public async Task A_repeated_idempotency_key_creates_one_integration()
    {
        var (client, _) = await _hub.TenantAsync("int-idem");
        using var _1 = client;
        var body = new { name = "Once", connectorId = "sample" };

        using var first = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", body, idempotencyKey: "integration-once");
        using var second = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", body, idempotencyKey: "integration-once");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Single(await IdsAsync(client, "api/v1/integrations"));
    }

    [Fact]
    public async Task The_same_idempotency_key_on_a_differently_cased_path_creates_one_integration()
    {
        // The Functions host routes case-insensitively: /api/v1/Integrations reaches CreateIntegration too. The
        // key is scoped by the function and its route values, not the path's spelling, so this is one request.
        var (client, _) = await _hub.TenantAsync("int-idem-case");
        using var _1 = client;
        var body = new { name = "Once whatever the case", connectorId = "sample" };

        using var first = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", body, idempotencyKey: "case-once");
        using var second = await client.SendAsync(HttpMethod.Post, "api/v1/Integrations", body, idempotencyKey: "case-once");
        using var third = await client.SendAsync(HttpMethod.Post, "API/V1/INTEGRATIONS", body, idempotencyKey: "case-once");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", Assert.Single(second.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal("true", Assert.Single(third.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await third.Content.ReadAsStringAsync());
        Assert.Single(await IdsAsync(client, "api/v1/integrations"));
    }

    [Fact]
    public async Task An_idempotency_key_reused_for_another_body_is_refused_whatever_the_paths_case()
    {
        var (client, _) = await _hub.TenantAsync("int-idem-case-422");
        using var _1 = client;

        using var first = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "First", connectorId = "sample" }, idempotencyKey: "case-reused");
        using var second = await client.SendAsync(HttpMethod.Post, "api/v1/Integrations", new { name = "Second", connectorId = "sample" }, idempotencyKey: "case-reused");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await AssertProblemAsync(second, HttpStatusCode.UnprocessableEntity);
        Assert.Single(await IdsAsync(client, "api/v1/integrations"));
    }

    [Fact]
    public async Task An_unknown_status_filter_or_page_size_is_refused()
    {
        var (client, _) = await _hub.TenantAsync("int-filter");
        using var _1 = client;

        await AssertProblemAsync(await client.GetAsync(new Uri("api/v1/integrations?status=running", UriKind.Relative)), HttpStatusCode.BadRequest, "status");
        await AssertProblemAsync(await client.GetAsync(new Uri("api/v1/integrations?limit=0", UriKind.Relative)), HttpStatusCode.BadRequest, "limit");
    }

    [Fact]
    public async Task Pages_follow_the_continuation_token_to_every_integration()
    {
        var (client, _) = await _hub.TenantAsync("int-pages");
        using var _1 = client;
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await SampleAsync(client, $"n{i}"));
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>("api/v1/integrations?limit=2" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            token = page.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.True(pages >= 3, $"5 items in pages of 2 took {pages} page(s)");
    }

    [Fact]
    public async Task The_openapi_document_describes_credentials_and_integrations()
    {
        var document = await _hub.Client.GetFromJsonAsync<JsonElement>("api/openapi.json");
        var paths = document.GetProperty("paths");

        Assert.True(paths.GetProperty("/api/v1/integrations").TryGetProperty("post", out var post));
        Assert.True(post.TryGetProperty("requestBody", out _));
        Assert.True(paths.GetProperty("/api/v1/integrations/{id}").TryGetProperty("put", out _));
        Assert.True(paths.GetProperty("/api/v1/credentials/{id}").TryGetProperty("delete", out _));
        Assert.True(paths.GetProperty("/api/v1/credentials/{id}/check").TryGetProperty("post", out _));
    }

    private static async Task<List<string>> IdsAsync(HttpClient client, string path) =>
        (await client.GetFromJsonAsync<JsonElement>(path)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();

    private static async Task<string> SampleAsync(HttpClient client, string name)
    {
        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name, connectorId = "sample" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task<string> CredentialAsync(HttpClient client, string connectorId, object values)
    {
        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", new { connectorId, name = connectorId, values });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
    }
}
