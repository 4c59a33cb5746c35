using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Functions.Tests.Infrastructure;
using static IntegrationHub.Functions.Tests.Api.ApiCalls;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>The connector catalog through the running hub: for a tenant's key or the operator's, never for anyone else.</summary>
[Collection(ApiHub.Name)]
public sealed class CatalogApiTests(ApiHubFixture fixture)
{
    private readonly HubHost _hub = fixture.Hub;

    [Fact]
    public async Task A_tenant_sees_every_connector_with_its_schemas()
    {
        var (client, _) = await _hub.TenantAsync("catalog-reader");
        using var _1 = client;

        using var response = await client.GetAsync(new Uri("api/v1/integrations/available", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var catalog = await response.ReadJsonAsync();
        var ids = catalog.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "github", "jira", "rest", "sample", "slack", "zulip" }, ids.ToHashSet());
        var github = catalog.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == "github");
        Assert.True(github.GetProperty("credentialSchema").GetProperty("properties").TryGetProperty("token", out _));
        Assert.Contains("demo", catalog.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task The_operator_may_read_the_catalog_too()
    {
        using var admin = _hub.Admin();

        using var response = await admin.GetAsync(new Uri("api/v1/integrations/available?category=demo", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["sample"], (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_caller_without_a_valid_key_is_refused()
    {
        var (tenant, key) = await _hub.TenantAsync("catalog-revoked");
        using var _1 = tenant;
        using var admin = _hub.Admin();
        (await admin.DeleteAsync(new Uri($"api/v1/tenants/catalog-revoked/api-keys/{key.Split('_')[2]}", UriKind.Relative))).EnsureSuccessStatusCode();

        await AssertProblemAsync(await _hub.Client.GetAsync(new Uri("api/v1/integrations/available", UriKind.Relative)), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await tenant.GetAsync(new Uri("api/v1/integrations/available", UriKind.Relative)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_client_sent_app_service_principal_is_ignored_unless_the_hub_is_told_to_trust_it()
    {
        // Anywhere but behind App Service Authentication the header is just text a caller typed.
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/integrations/available");
        var principal = JsonSerializer.Serialize(new { claims = new[] { new { typ = "hub_tenant", val = "forged" } } });
        request.Headers.Add("X-MS-CLIENT-PRINCIPAL", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(principal)));

        await AssertProblemAsync(await _hub.Client.SendAsync(request), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Filters_narrow_by_category_and_text()
    {
        var (client, _) = await _hub.TenantAsync("catalog-filter");
        using var _1 = client;

        var chat = await client.GetFromJsonAsync<JsonElement>("api/v1/integrations/available?category=chat");
        var git = await client.GetFromJsonAsync<JsonElement>("api/v1/integrations/available?q=GitHub");

        Assert.Equal(["slack", "zulip"], chat.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(["github"], git.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }
}

/// <summary>A host behind App Service Authentication (told to trust its principal header): its own host, its own settings.</summary>
public sealed class CatalogTrustedPrincipalTests
{
    [Fact]
    public async Task A_signed_in_app_service_principal_of_a_tenant_may_read_the_catalog()
    {
        // Behind App Service Authentication a user signs in rather than presenting a key; the tenant comes from a claim.
        await using var hub = await HubHost.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:TrustAppServiceAuthentication"] = "true",
            ["Auth:PrincipalTenantClaim"] = "hub_tenant",
        });
        using var forged = new HttpRequestMessage(HttpMethod.Get, "api/v1/integrations/available");
        forged.Headers.Add("X-MS-CLIENT-PRINCIPAL", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { claims = new[] { new { typ = "name", val = "no tenant" } } }))));
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/integrations/available");
        var principal = JsonSerializer.Serialize(new { claims = new[] { new { typ = "hub_tenant", val = "catalog-principal" }, new { typ = "name", val = "someone" } } });
        request.Headers.Add("X-MS-CLIENT-PRINCIPAL", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(principal)));

        using var withTenant = await hub.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, withTenant.StatusCode);
        await AssertProblemAsync(await hub.Client.SendAsync(forged), HttpStatusCode.Unauthorized); // a principal without the tenant claim is nobody
    }
}
