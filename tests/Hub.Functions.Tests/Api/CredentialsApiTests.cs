using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.Secrets;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Cosmos;
using IntegrationHub.TestDoubles.SaaS;
using static IntegrationHub.Functions.Tests.Api.ApiCalls;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>
/// Credentials through the running hub, the real local secret store and the GitHub double: values go in,
/// only masked hints come out, rotation and deletion are conditional, checks reach the real system.
/// </summary>
[Collection(ApiHub.Name)]
public sealed class CredentialsApiTests(ApiHubFixture fixture)
{
    private const string Token = ApiHubFixture.Token;
    private const string RotatedToken = "ghp_R0tatedTokenValue9876543210wxyz";

    private readonly HubHost _hub = fixture.Hub;
    private readonly GitHubDouble _github = fixture.GitHub;

    // The collection shares the GitHub double: a test looks only at the requests made since it began.
    private readonly int _githubMark = fixture.GitHub.Requests.Count;

    private object GitHubConfiguration => new { owner = "octo", repository = "hub", apiBaseUrl = _github.BaseAddress.ToString().TrimEnd('/') };

    // The hub's own secret store, in the test process, on the host's database: what the hub stored.
    private ISecretStore Secrets => _hub.Stores.GetRequiredService<ISecretStore>();

    private List<RecordedRequest> GitHubRequestsTo(string pathContains)
    {
        lock (_github.Requests)
        {
            return _github.Requests.Skip(_githubMark).Where(r => r.PathAndQuery.Contains(pathContains, StringComparison.OrdinalIgnoreCase)).ToList();
        }
    }

    [Fact]
    public async Task A_credential_is_created_read_listed_rotated_and_deleted()
    {
        var (client, _) = await _hub.TenantAsync("cred-crud");
        using var _1 = client;

        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", new { connectorId = "github", name = "GitHub bot", values = new { token = Token } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await created.ReadJsonAsync();
        var id = view.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/credentials/{id}", created.Headers.Location?.ToString());
        Assert.NotNull(created.Headers.ETag);
        Assert.Equal("ghp…abcd", view.GetProperty("masked").GetProperty("token").GetString());
        Assert.Equal("active", view.GetProperty("status").GetString());
        Assert.False(view.TryGetProperty("values", out _));
        Assert.Equal(Token, (await Secrets.ReadAsync("cred-crud", id, default))!.Values["token"]);

        using var read = await client.GetAsync(new Uri($"api/v1/credentials/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(created.Headers.ETag, read.Headers.ETag);
        Assert.Equal("GitHub bot", (await read.ReadJsonAsync()).GetProperty("name").GetString());

        var listed = await client.GetFromJsonAsync<JsonElement>("api/v1/credentials?connectorId=github");
        Assert.Equal([id], listed.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        var otherConnector = await client.GetFromJsonAsync<JsonElement>("api/v1/credentials?connectorId=slack");
        Assert.Equal(0, otherConnector.GetProperty("items").GetArrayLength());

        using var rotated = await client.SendAsync(HttpMethod.Put, $"api/v1/credentials/{id}", new { values = new { token = RotatedToken }, name = "GitHub bot (rotated)" }, ifMatch: read.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var after = await rotated.ReadJsonAsync();
        Assert.Equal("ghp…wxyz", after.GetProperty("masked").GetProperty("token").GetString());
        Assert.Equal("GitHub bot (rotated)", after.GetProperty("name").GetString());
        Assert.NotEqual(read.Headers.ETag, rotated.Headers.ETag);
        var stored = await Secrets.ReadAsync("cred-crud", id, default);
        Assert.Equal(RotatedToken, stored!.Values["token"]);
        Assert.Equal(2, stored.Version);

        using var deleted = await client.DeleteAsync(new Uri($"api/v1/credentials/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertProblemAsync(await client.GetAsync(new Uri($"api/v1/credentials/{id}", UriKind.Relative)), HttpStatusCode.NotFound);
        Assert.Null(await Secrets.ReadAsync("cred-crud", id, default));
    }

    [Fact]
    public async Task A_secret_value_never_appears_in_a_response_header_or_log_line()
    {
        var (client, _) = await _hub.TenantAsync("cred-leak");
        using var _1 = client;
        var seen = new StringBuilder();
        async Task<HttpResponseMessage> Call(HttpMethod method, string path, object? body = null, string? key = null)
        {
            var response = await client.SendAsync(method, path, body, idempotencyKey: key);
            seen.AppendLine(await VisibleAsync(response));
            return response;
        }

        using var created = await Call(HttpMethod.Post, "api/v1/credentials", new { connectorId = "github", name = "leak", values = new { token = Token } }, key: "leak-1");
        using var replayed = await Call(HttpMethod.Post, "api/v1/credentials", new { connectorId = "github", name = "leak", values = new { token = Token } }, key: "leak-1");
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
        (await Call(HttpMethod.Get, $"api/v1/credentials/{id}")).Dispose();
        (await Call(HttpMethod.Get, "api/v1/credentials")).Dispose();
        (await Call(HttpMethod.Post, $"api/v1/credentials/{id}/check", new { configuration = GitHubConfiguration })).Dispose();
        (await Call(HttpMethod.Put, $"api/v1/credentials/{id}", new { values = new { token = RotatedToken } })).Dispose();
        (await Call(HttpMethod.Post, $"api/v1/credentials/{id}/check", new { configuration = GitHubConfiguration })).Dispose(); // fails: the double knows the first token
        (await Call(HttpMethod.Put, $"api/v1/credentials/{id}", new { values = new { token = Token, colour = RotatedToken } })).Dispose(); // refused field
        (await Call(HttpMethod.Post, "api/v1/credentials", new { connectorId = "jira", name = "bad", values = new { email = Token, apiToken = RotatedToken } })).Dispose(); // invalid email
        using var integration = await Call(HttpMethod.Post, "api/v1/integrations", new { name = "uses it", connectorId = "github", credentialId = id, configuration = GitHubConfiguration });
        (await Call(HttpMethod.Get, "api/v1/integrations")).Dispose();

        Assert.Equal(HttpStatusCode.Created, integration.StatusCode);
        var visible = seen.ToString();
        await _hub.LogLineAsync(id); // the log does speak of the credential, by id
        var logs = _hub.Logs.All;
        foreach (var secret in new[] { Token, RotatedToken, "S3cretTokenValue", "R0tatedTokenValue" })
        {
            Assert.DoesNotContain(secret, visible, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("github", "{}", "values.token")]
    [InlineData("github", "{\"token\": 42}", "values.token")]
    [InlineData("github", "{\"token\": \"abc\", \"colour\": \"red\"}", "values.colour")]
    [InlineData("github", "\"just-a-string\"", "values")]
    [InlineData("jira", "{\"email\": \"not-an-email\", \"apiToken\": \"abc\"}", "values.email")]
    [InlineData("nope", "{\"token\": \"abc\"}", "connectorId")]
    [InlineData("sample", "{}", "connectorId")]
    public async Task Values_are_validated_against_the_connectors_credential_schema_and_nothing_is_stored(string connector, string values, string field)
    {
        var (client, _) = await _hub.TenantAsync("cred-v-" + (uint)HashCode.Combine(connector, values, field));
        using var _1 = client;

        using var response = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", $"{{\"connectorId\": \"{connector}\", \"name\": \"n\", \"values\": {values}}}");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("api/v1/credentials")).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("{\"connectorId\": \"github\", \"name\": ", HttpStatusCode.BadRequest, "name")]
    [InlineData("{\"connectorId\": \"github\", \"name\": 7, \"values\": {\"token\": \"t\"}}", HttpStatusCode.BadRequest, "name")]
    [InlineData("{\"connectorId\": \"github\", \"name\": \"n\"}", HttpStatusCode.BadRequest, "$")]
    [InlineData("{\"connectorId\": \"github\", \"name\": \"\", \"values\": {\"token\": \"t\"}}", HttpStatusCode.BadRequest, "name")]
    [InlineData("{\"connectorId\": \"github\", \"name\": \"n\", \"values\": {\"token\": \"t\"}, \"secret\": true}", HttpStatusCode.BadRequest, "secret")]
    [InlineData("[1, 2]", HttpStatusCode.BadRequest, "$")]
    public async Task Bad_bodies_get_a_problem_naming_the_field_and_store_nothing(string body, HttpStatusCode status, string field)
    {
        var (client, _) = await _hub.TenantAsync("cred-b-" + (uint)HashCode.Combine(body));
        using var _1 = client;

        using var response = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", body);

        await AssertProblemAsync(response, status, field);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("api/v1/credentials")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_huge_body_or_a_form_is_refused_and_nothing_is_stored()
    {
        var (client, _) = await _hub.TenantAsync("cred-huge");
        using var _1 = client;
        var huge = JsonSerializer.Serialize(new { connectorId = "github", name = "huge", values = new { token = new string('x', 400_000) } });

        using var tooLarge = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", huge);
        using var form = await client.PostAsync(new Uri("api/v1/credentials", UriKind.Relative), new StringContent("connectorId=github", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await AssertProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge);
        await AssertProblemAsync(form, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("api/v1/credentials")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Another_tenants_credential_cannot_be_read_rotated_checked_or_deleted()
    {
        var (owner, _) = await _hub.TenantAsync("cred-owner");
        var (other, _) = await _hub.TenantAsync("cred-other");
        using var _1 = owner;
        using var _2 = other;
        var id = await CreateAsync(owner, Token);

        await AssertProblemAsync(await other.GetAsync(new Uri($"api/v1/credentials/{id}", UriKind.Relative)), HttpStatusCode.NotFound);
        await AssertProblemAsync(await other.SendAsync(HttpMethod.Put, $"api/v1/credentials/{id}", new { values = new { token = RotatedToken } }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await other.SendAsync(HttpMethod.Post, $"api/v1/credentials/{id}/check", new { configuration = GitHubConfiguration }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await other.DeleteAsync(new Uri($"api/v1/credentials/{id}", UriKind.Relative)), HttpStatusCode.NotFound);

        Assert.Equal(0, (await other.GetFromJsonAsync<JsonElement>("api/v1/credentials")).GetProperty("items").GetArrayLength());
        Assert.Equal(Token, (await Secrets.ReadAsync("cred-owner", id, default))!.Values["token"]);
        Assert.Equal("ghp…abcd", (await owner.GetFromJsonAsync<JsonElement>($"api/v1/credentials/{id}")).GetProperty("masked").GetProperty("token").GetString());
        Assert.Empty(GitHubRequestsTo("/repos/"));
    }

    [Fact]
    public async Task A_stale_if_match_is_refused_and_changes_nothing()
    {
        var (client, _) = await _hub.TenantAsync("cred-stale");
        using var _1 = client;
        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", new { connectorId = "github", name = "n", values = new { token = Token } });
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
        var first = created.Headers.ETag!.Tag;
        using var rotated = await client.SendAsync(HttpMethod.Put, $"api/v1/credentials/{id}", new { values = new { token = RotatedToken } }, ifMatch: first);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);

        await AssertProblemAsync(await client.SendAsync(HttpMethod.Put, $"api/v1/credentials/{id}", new { values = new { token = Token } }, ifMatch: first), HttpStatusCode.PreconditionFailed);
        await AssertProblemAsync(await client.SendAsync(HttpMethod.Delete, $"api/v1/credentials/{id}", ifMatch: first), HttpStatusCode.PreconditionFailed);

        Assert.Equal(RotatedToken, (await Secrets.ReadAsync("cred-stale", id, default))!.Values["token"]);
        using var deleted = await client.SendAsync(HttpMethod.Delete, $"api/v1/credentials/{id}", ifMatch: rotated.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task A_rotation_that_loses_the_secret_version_race_is_a_conflict()
    {
        var (client, _) = await _hub.TenantAsync("cred-race");
        using var _1 = client;
        var id = await CreateAsync(client, Token);

        // Another writer (a token refresh on another instance) moved the secret on since the metadata was written.
        await Secrets.UpdateAsync("cred-race", id, SecretValues.From([KeyValuePair.Create("token", RotatedToken)]), 1, default);
        using var response = await client.SendAsync(HttpMethod.Put, $"api/v1/credentials/{id}", new { values = new { token = "ghp_ThirdTokenValue000000000000" } });

        await AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(RotatedToken, (await Secrets.ReadAsync("cred-race", id, default))!.Values["token"]);
    }

    [Fact]
    public async Task A_repeated_idempotency_key_creates_one_credential()
    {
        var (client, _) = await _hub.TenantAsync("cred-idem");
        using var _1 = client;
        var body = new { connectorId = "github", name = "once", values = new { token = Token } };

        using var first = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", body, idempotencyKey: "create-once");
        using var second = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", body, idempotencyKey: "create-once");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("api/v1/credentials")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_check_against_github_succeeds_with_the_stored_token_and_is_recorded()
    {
        var (client, _) = await _hub.TenantAsync("cred-check");
        using var _1 = client;
        var id = await CreateAsync(client, Token);

        using var response = await client.SendAsync(HttpMethod.Post, $"api/v1/credentials/{id}/check", new { configuration = GitHubConfiguration });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var check = await response.ReadJsonAsync();
        Assert.True(check.GetProperty("succeeded").GetBoolean(), check.ToString());
        Assert.Contains("octo/hub", check.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal($"Bearer {Token}", Assert.Single(GitHubRequestsTo("/repos/octo/hub")).Headers["Authorization"]);
        var lastCheck = (await client.GetFromJsonAsync<JsonElement>($"api/v1/credentials/{id}")).GetProperty("lastCheck");
        Assert.True(lastCheck.GetProperty("succeeded").GetBoolean());
        Assert.Equal(check.GetProperty("checkedAt").GetDateTimeOffset(), lastCheck.GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_check_with_a_token_github_refuses_fails_with_githubs_error()
    {
        var (client, _) = await _hub.TenantAsync("cred-refused");
        using var _1 = client;
        var id = await CreateAsync(client, "ghp_WrongTokenValue00000000000000");

        using var response = await client.SendAsync(HttpMethod.Post, $"api/v1/credentials/{id}/check", new { configuration = GitHubConfiguration });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var check = await response.ReadJsonAsync();
        Assert.False(check.GetProperty("succeeded").GetBoolean());
        Assert.Contains("401", check.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("Bad credentials", check.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False((await client.GetFromJsonAsync<JsonElement>($"api/v1/credentials/{id}")).GetProperty("lastCheck").GetProperty("succeeded").GetBoolean());
    }

    [Fact]
    public async Task A_check_without_a_body_uses_an_empty_configuration_which_github_refuses_by_field()
    {
        var (client, _) = await _hub.TenantAsync("cred-nobody");
        using var _1 = client;
        var id = await CreateAsync(client, Token);

        using var noBody = await client.PostAsync(new Uri($"api/v1/credentials/{id}/check", UriKind.Relative), null);
        using var badConfiguration = await client.SendAsync(HttpMethod.Post, $"api/v1/credentials/{id}/check", new { configuration = new { owner = "octo", repository = "hub", pageSize = 1000 } });

        await AssertProblemAsync(noBody, HttpStatusCode.BadRequest, "configuration.owner");
        await AssertProblemAsync(badConfiguration, HttpStatusCode.BadRequest, "configuration.pageSize");
        Assert.Empty(GitHubRequestsTo("/repos/"));
    }

    [Fact]
    public async Task A_credential_in_use_cannot_be_deleted_until_its_integration_is_gone()
    {
        var (client, _) = await _hub.TenantAsync("cred-inuse");
        using var _1 = client;
        var id = await CreateAsync(client, Token);
        using var integration = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "Hub issues", connectorId = "github", credentialId = id, configuration = GitHubConfiguration });
        var integrationId = (await integration.ReadJsonAsync()).GetProperty("id").GetString()!;

        var problem = await AssertProblemAsync(await client.DeleteAsync(new Uri($"api/v1/credentials/{id}", UriKind.Relative)), HttpStatusCode.Conflict);

        Assert.Contains("Hub issues", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains(integrationId, problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(Token, (await Secrets.ReadAsync("cred-inuse", id, default))!.Values["token"]);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(new Uri($"api/v1/integrations/{integrationId}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(new Uri($"api/v1/credentials/{id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Credentials_need_a_tenant_key()
    {
        using var admin = _hub.Admin();

        await AssertProblemAsync(await _hub.Client.GetAsync(new Uri("api/v1/credentials", UriKind.Relative)), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await admin.GetAsync(new Uri("api/v1/credentials", UriKind.Relative)), HttpStatusCode.Forbidden);
    }

    private static async Task<string> CreateAsync(HttpClient client, string token)
    {
        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", new { connectorId = "github", name = "n", values = new { token } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
    }
}

/// <summary>A host on an emulator of its own: the test drops a container, which would confuse the shared emulator's other databases.</summary>
public sealed class CredentialRollbackTests
{
    [Fact]
    public async Task When_the_metadata_cannot_be_written_the_new_secret_is_deleted_again()
    {
        // Its own emulator: dropping a container confuses the shared emulator's other databases.
        await using var emulator = await CosmosEmulator.StartAsync();
        await using var hub = await HubHost.StartAsync(emulator: emulator);
        var (client, _) = await hub.TenantAsync("cred-rollback");
        using var _1 = client;
        var cosmos = hub.Stores.GetRequiredService<IntegrationHub.Shared.Cosmos.HubCosmos>();

        // The metadata's container disappears: the secret write succeeds, the metadata write cannot.
        await cosmos.Database.GetContainer("credentials").DeleteContainerAsync();
        using var response = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", new { connectorId = "github", name = "half", values = new { token = ApiHubFixture.Token } });

        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        var secrets = cosmos.Database.GetContainer("secrets").GetItemQueryIterator<JsonElement>(
            new Microsoft.Azure.Cosmos.QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId").WithParameter("@tenantId", "cred-rollback"));
        var left = new List<JsonElement>();
        while (secrets.HasMoreResults)
        {
            left.AddRange(await secrets.ReadNextAsync());
        }

        Assert.Empty(left);
        await hub.LogLineAsync("its new secret was deleted again");
        Assert.DoesNotContain(ApiHubFixture.Token, hub.Logs.All, StringComparison.Ordinal);
    }
}
