using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IntegrationHub.Functions.Tests.Infrastructure;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>Tenants and API keys through the running hub: who may call what, keys shown once, bad input refused.</summary>
[Collection(ApiHub.Name)]
public sealed class TenantsApiTests(ApiHubFixture fixture) : IDisposable
{
    private readonly HubHost _hub = fixture.Hub;
    private readonly HttpClient _admin = fixture.Hub.Admin();

    public void Dispose() => _admin.Dispose();

    [Fact]
    public async Task The_operator_creates_reads_and_lists_tenants()
    {
        using var created = await _admin.PostAsJsonAsync("api/v1/tenants", new { id = "acme", displayName = "Acme Corp" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/tenants/acme", created.Headers.Location?.ToString());
        var tenant = await _admin.GetFromJsonAsync<JsonElement>("api/v1/tenants/acme");
        Assert.Equal("Acme Corp", tenant.GetProperty("displayName").GetString());
        var list = await _admin.GetFromJsonAsync<JsonElement>("api/v1/tenants");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == "acme");
    }

    [Fact]
    public async Task A_tenant_id_that_is_taken_is_a_conflict()
    {
        (await _admin.PostAsJsonAsync("api/v1/tenants", new { id = "taken", displayName = "First" })).EnsureSuccessStatusCode();

        using var second = await _admin.PostAsJsonAsync("api/v1/tenants", new { id = "taken", displayName = "Second" });

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal("First", (await _admin.GetFromJsonAsync<JsonElement>("api/v1/tenants/taken")).GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Requests_without_a_valid_key_are_refused_with_a_problem()
    {
        using var anonymous = await _hub.Client.GetAsync(new Uri("api/v1/tenants", UriKind.Relative));
        using var wrong = await _hub.ClientWithKey("ihk_acme_000000000000_" + new string('0', 64)).GetAsync(new Uri("api/v1/tenants", UriKind.Relative));
        using var garbage = await _hub.ClientWithKey("let-me-in").GetAsync(new Uri("api/v1/tenants", UriKind.Relative));

        foreach (var response in new[] { anonymous, wrong, garbage })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_key_is_shown_once_authenticates_and_cannot_manage_tenants()
    {
        var (tenant, key) = await _hub.TenantAsync("keyed");
        using var _ = tenant;

        using var forbidden = await tenant.GetAsync(new Uri("api/v1/tenants", UriKind.Relative));
        var listed = await (await _admin.GetAsync(new Uri("api/v1/tenants/keyed/api-keys", UriKind.Relative))).Content.ReadAsStringAsync();

        Assert.StartsWith("ihk_keyed_", key, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Split('_')[3], listed, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"tests\"", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_key_stops_working()
    {
        var (tenant, key) = await _hub.TenantAsync("revoking");
        using var _ = tenant;
        var keyId = key.Split('_')[2];
        using (var before = await tenant.GetAsync(new Uri("api/v1/tenants", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode); // authenticated, but not the operator
        }

        using var revoked = await _admin.DeleteAsync(new Uri($"api/v1/tenants/revoking/api-keys/{keyId}", UriKind.Relative));
        using var after = await tenant.GetAsync(new Uri("api/v1/tenants", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task A_repeated_idempotency_key_creates_once_and_replays_the_first_response()
    {
        var request = () => new HttpRequestMessage(HttpMethod.Post, "api/v1/tenants")
        {
            Content = JsonContent.Create(new { id = "idem", displayName = "Once" }),
            Headers = { { "Idempotency-Key", "create-idem-1" } },
        };

        using var first = await _admin.SendAsync(request());
        using var second = await _admin.SendAsync(request());

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task An_idempotency_key_reused_for_a_different_request_is_refused()
    {
        using var first = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/v1/tenants")
        {
            Content = JsonContent.Create(new { id = "reuse-a", displayName = "A" }),
            Headers = { { "Idempotency-Key", "reused" } },
        });
        using var second = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/v1/tenants")
        {
            Content = JsonContent.Create(new { id = "reuse-b", displayName = "B" }),
            Headers = { { "Idempotency-Key", "reused" } },
        });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync(new Uri("api/v1/tenants/reuse-b", UriKind.Relative))).StatusCode);
    }

    [Theory]
    [InlineData("{\"id\": \"bad-json\", ", "$")]
    [InlineData("{\"id\": \"x1\", \"displayName\": \"X\", \"colour\": \"red\"}", "colour")]
    [InlineData("{\"id\": 42, \"displayName\": \"X\"}", "id")]
    [InlineData("{\"displayName\": \"X\"}", "$")]
    [InlineData("{\"id\": \"UPPER\", \"displayName\": \"X\"}", "id")]
    [InlineData("{\"id\": \"ok-id\", \"displayName\": null}", "displayName")]
    public async Task Bad_bodies_get_a_problem_naming_the_field_and_store_nothing(string body, string field)
    {
        var before = await TenantCountAsync();

        using var response = await _admin.PostAsync(new Uri("api/v1/tenants", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
        Assert.Equal(before, await TenantCountAsync());
    }

    [Fact]
    public async Task A_huge_body_is_refused_as_too_large()
    {
        var huge = JsonSerializer.Serialize(new { id = "huge", displayName = new string('x', 400_000) });

        using var response = await _admin.PostAsync(new Uri("api/v1/tenants", UriKind.Relative), new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync(new Uri("api/v1/tenants/huge", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_unsupported_media()
    {
        using var response = await _admin.PostAsync(new Uri("api/v1/tenants", UriKind.Relative), new StringContent("id=form", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_method_the_route_does_not_take_is_a_problem()
    {
        using var response = await _admin.DeleteAsync(new Uri("api/v1/tenants", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        var document = await _hub.Client.GetFromJsonAsync<JsonElement>("api/openapi.json");

        Assert.Equal("IntegrationHub API", document.GetProperty("info").GetProperty("title").GetString());
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/tenants", out _));
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/tenants/{tenantId}/api-keys", out _));
    }

    private async Task<int> TenantCountAsync() =>
        (await _admin.GetFromJsonAsync<JsonElement>("api/v1/tenants?limit=200")).GetProperty("items").GetArrayLength();
}
