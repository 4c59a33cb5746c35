using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles;
using IntegrationHub.Secrets;
using IntegrationHub.TestDoubles.Pulsar;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Functions.Tests.Functions;

/// <summary>Inbound commands from Pulsar run through a connector action, are acknowledged only when done, and poison goes to the dead-letter topic.</summary>
[Collection(PulsarHub.Name)]
public sealed class DrainCommandsTests(PulsarHubFixture fixture) : IAsyncLifetime
{
    private const string Commands = "persistent://public/default/hub.commands";
    private const string DeadLetters = "persistent://public/default/hub.commands.dlq";
    private readonly PulsarWebSocketDouble _pulsar = fixture.Pulsar;
    private readonly GitHubDouble _github = fixture.GitHub;
    private readonly HubHost _hub = fixture.Hub;

    public async Task InitializeAsync()
    {
        _pulsar.CreateSubscription(Commands, "integration-hub");
        _github.AddIssue("broken build", DateTimeOffset.UtcNow);
        await _hub.Stores.GetRequiredService<ISecretStore>().CreateAsync("acme", "gh", SecretValues.From([new("token", _github.Token)]), default);
        await _hub.Stores.GetRequiredService<IntegrationStore>().CreateAsync(
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

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_command_runs_its_connector_action_and_a_poisoned_one_is_dead_lettered_without_blocking_the_rest()
    {
        var good = _pulsar.Publish(Commands, JsonSerializer.Serialize(new { tenantId = "acme", integrationId = "gh", action = "create_comment", input = new { issueNumber = 1, body = "deploy fixed it" } }));
        var poison = _pulsar.Publish(Commands, JsonSerializer.Serialize(new { tenantId = "acme", integrationId = "missing", action = "create_comment", input = new { } }));
        var after = _pulsar.Publish(Commands, JsonSerializer.Serialize(new { tenantId = "acme", integrationId = "gh", action = "create_comment", input = new { issueNumber = 1, body = "second" } }));

        for (var i = 0; i < 3 && !_pulsar.Messages(DeadLetters).Any(); i++)
        {
            await DrainAsync();
        }

        Assert.Equal(2, _github.RequestsTo("/issues/1/comments").Count(r => r.Method == "POST"));
        Assert.True(_pulsar.IsAcknowledged(Commands, "integration-hub", good.MessageId));
        Assert.True(_pulsar.IsAcknowledged(Commands, "integration-hub", after.MessageId));
        var dead = Assert.Single(_pulsar.Messages(DeadLetters));
        Assert.Contains("missing", dead.Properties["hub-dlq-reason"], StringComparison.Ordinal);
        Assert.Contains(_hub.Logs.Lines, l => l.Contains("DrainCommands: ", StringComparison.Ordinal) && l.Contains("dead-lettered", StringComparison.Ordinal));
    }

    // Fires the timer through the host's admin API and waits for the host to report the invocation finished.
    private async Task DrainAsync()
    {
        static bool Finished(string line) => line.Contains("Executed 'Functions.DrainCommands'", StringComparison.Ordinal);
        var before = _hub.Logs.Lines.Count(Finished);
        await _hub.FireTimerAsync("DrainCommands");
        await Eventually.TrueAsync(() => _hub.Logs.Lines.Count(Finished) > before, "DrainCommands to finish", TimeSpan.FromSeconds(60));
        Assert.Contains("Succeeded", _hub.Logs.Lines.Last(Finished), StringComparison.Ordinal);
    }
}
