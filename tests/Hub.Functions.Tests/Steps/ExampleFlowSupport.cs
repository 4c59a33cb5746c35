using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.Secrets;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Functions.Tests.Steps;

/// <summary>What the README example flow's tests (into the event log and into Pulsar) both need.</summary>
internal static class ExampleFlowSupport
{
    /// <summary>
    /// A GitHub integration of octo/hub's issues on <paramref name="github"/> (2 a page) with its token credential, seeded
    /// through the hub's own stores (in the test process, on the host's database) as the API would store them; its id.
    /// </summary>
    public static async Task<string> GitHubIntegrationAsync(HubHost hub, GitHubDouble github, string tenant)
    {
        var credentialId = $"cred-{Guid.NewGuid():N}";
        await hub.Stores.GetRequiredService<ISecretStore>().CreateAsync(tenant, credentialId, SecretValues.From(new Dictionary<string, string> { ["token"] = github.Token }), default);
        var integration = await hub.Stores.GetRequiredService<IntegrationStore>().CreateAsync(
            new Integration
            {
                Id = $"int-{Guid.NewGuid():N}",
                TenantId = tenant,
                Name = "hub issues",
                ConnectorId = "github",
                Configuration = JsonSerializer.SerializeToElement(new { owner = "octo", repository = "hub", apiBaseUrl = github.BaseAddress.ToString().TrimEnd('/'), pageSize = 2 }),
                CredentialId = credentialId,
                Stream = "issues",
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            default);
        return integration.Id;
    }

    /// <summary>
    /// Polls the run's status URL until <paramref name="condition"/> holds (the run's orchestration moves a waiting run on
    /// after its durable timer, as in Azure); the run as last read.
    /// </summary>
    public static async Task<JsonElement> RunWhenAsync(HttpClient client, string runId, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        JsonElement run = default;
        await Eventually.TrueAsync(
            async () => condition(run = await client.GetFromJsonAsync<JsonElement>($"api/v1/runs/{runId}")),
            $"run {runId}",
            timeout);
        return run;
    }
}
