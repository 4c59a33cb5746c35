using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.TestDoubles.N8n;

namespace IntegrationHub.Functions.Tests.Steps;

/// <summary>The catalog lists the n8n workflows that carry the agreed tag, discovered from a real n8n.</summary>
[Collection(StepsGroup.Name)]
public sealed class N8nCatalogTests(StepsFixture steps)
{
    [Fact]
    public async Task The_catalog_lists_tagged_n8n_workflows_beside_the_connectors_and_not_untagged_ones()
    {
        var (client, _) = await steps.Hub.TenantAsync("catalog-n8n");
        using var _c = client;

        var catalog = await client.GetFromJsonAsync<JsonElement>("api/v1/integrations/available");
        var workflows = catalog.GetProperty("workflows").EnumerateArray().Select(w => w.GetProperty("workflowId").GetString()).ToList();
        var onlyWorkflows = await client.GetFromJsonAsync<JsonElement>("api/v1/integrations/available?category=workflows");

        Assert.Equal("ok", catalog.GetProperty("sources").GetProperty("n8n").GetString());
        Assert.Contains(N8nFixture.IdOf(steps.N8n.Echo), workflows);
        Assert.DoesNotContain(N8nFixture.IdOf(steps.N8n.Untagged), workflows);
        Assert.Contains(catalog.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == "github");
        Assert.Contains("workflows", catalog.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(0, onlyWorkflows.GetProperty("items").GetArrayLength());
        Assert.Equal(workflows.Count, onlyWorkflows.GetProperty("workflows").GetArrayLength());
    }
}
