using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Functions.Hosting.CustomHandler;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.Secrets;
using IntegrationHub.TestDoubles.Pulsar;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Functions.Tests.Functions;

/// <summary>Inbound commands from Pulsar run through a connector action, are acknowledged only when done, and poison goes to the dead-letter topic.</summary>
public sealed class DrainCommandsTests : IAsyncLifetime
{
    private const string Commands = "persistent://public/default/hub.commands";
    private const string DeadLetters = "persistent://public/default/hub.commands.dlq";
    private readonly PulsarWebSocketDouble _pulsar = new();
    private readonly GitHubDouble _github = new();
    private HubHost _hub = null!;

    public async Task InitializeAsync()
    {
        await _pulsar.StartAsync();
        await _github.StartAsync();
        _pulsar.CreateSubscription(Commands, "integration-hub");
        _hub = await HubHost.StartAsync(new Dictionary<string, string?>
        {
            ["Pulsar:ServiceUrl"] = _pulsar.ServiceUrl,
            ["Pulsar:MaxCommandAttempts"] = "2",
            ["Pulsar:CommandsRetryDelayMilliseconds"] = "20",
            ["Pulsar:CommandsIdleWaitMilliseconds"] = "500",
            ["Connectors:Network:AllowPrivateNetworks"] = "true",
        });
        _github.AddIssue("broken build", DateTimeOffset.UtcNow);
        await _hub.Services.GetRequiredService<ISecretStore>().CreateAsync("acme", "gh", SecretValues.From([new("token", _github.Token)]), default);
        await _hub.Services.GetRequiredService<IntegrationStore>().CreateAsync(
            new Integration
            {
                Id = "gh",
                TenantId = "acme",
                Name = "gh",
                ConnectorId = "github",
                Stream = "issues",
                CredentialId = "gh",
                Configuration = JsonSerializer.SerializeToElement(new { owner = "octo", repository = "hub", apiBaseUrl = _github.BaseAddress.ToString().TrimEnd('/') }),
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            default);
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _github.DisposeAsync();
        await _pulsar.DisposeAsync();
    }

    [Fact]
    public async Task A_command_runs_its_connector_action_and_a_poisoned_one_is_dead_lettered_without_blocking_the_rest()
    {
        var good = _pulsar.Publish(Commands, JsonSerializer.Serialize(new { tenantId = "acme", integrationId = "gh", action = "create_comment", input = new { issueNumber = 1, body = "deploy fixed it" } }));
        var poison = _pulsar.Publish(Commands, JsonSerializer.Serialize(new { tenantId = "acme", integrationId = "missing", action = "create_comment", input = new { } }));
        var after = _pulsar.Publish(Commands, JsonSerializer.Serialize(new { tenantId = "acme", integrationId = "gh", action = "create_comment", input = new { issueNumber = 1, body = "second" } }));

        var logs = new List<string>();
        for (var i = 0; i < 3 && !_pulsar.Messages(DeadLetters).Any(); i++)
        {
            logs.AddRange(await InvokeAsync());
        }

        Assert.Equal(2, _github.RequestsTo("/issues/1/comments").Count(r => r.Method == "POST"));
        Assert.True(_pulsar.IsAcknowledged(Commands, "integration-hub", good.MessageId));
        Assert.True(_pulsar.IsAcknowledged(Commands, "integration-hub", after.MessageId));
        var dead = Assert.Single(_pulsar.Messages(DeadLetters));
        Assert.Contains("missing", dead.Properties["hub-dlq-reason"], StringComparison.Ordinal);
        Assert.Contains(logs, l => l.StartsWith("commands: ", StringComparison.Ordinal));
    }

    private async Task<List<string>> InvokeAsync()
    {
        var payload = """{ "Data": { "timer": { "IsPastDue": false } }, "Metadata": { "sys": { "MethodName": "DrainCommands" } } }""";
        using var response = await _hub.Client.PostAsync(new Uri("DrainCommands", UriKind.Relative), new StringContent(payload, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<InvocationResponse>())!.Logs;
    }
}
