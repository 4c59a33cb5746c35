using System.Text.Json;
using IntegrationHub.Pulsar.Commands;

namespace IntegrationHub.Pulsar.Tests.Commands;

public sealed class CommandDrainerTests
{
    private static readonly string Commands = PulsarHarness.Topic("hub.commands");
    private static readonly string DeadLetters = PulsarHarness.Topic("hub.commands.dlq");
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Executes_each_command_and_acknowledges_it_only_after_the_handler_succeeded()
    {
        await using var hub = await PulsarHarness.StartAsync(new() { ["Pulsar:CommandsRetryDelay"] = "00:10:00" });
        hub.Pulsar.CreateSubscription(Commands, "integration-hub");
        var ok = hub.Pulsar.Publish(Commands, """{"action":"zulip.send","text":"hello"}""", key: "int-7");
        var failing = hub.Pulsar.Publish(Commands, """{"action":"zulip.send","text":"boom"}""");
        var seen = new List<InboundCommand>();

        var result = await hub.Drainer.DrainAsync((command, _) =>
        {
            seen.Add(command);
            return command.Payload.GetProperty("text").GetString() == "boom" ? throw new InvalidOperationException("Zulip answered 500") : Task.CompletedTask;
        }, Budget, CancellationToken.None);

        Assert.Equal(new CommandDrainResult(Processed: 1, Failed: 1, DeadLettered: 0, BudgetExhausted: false), result);
        Assert.True(hub.Pulsar.IsAcknowledged(Commands, "integration-hub", ok.MessageId));
        Assert.False(hub.Pulsar.IsAcknowledged(Commands, "integration-hub", failing.MessageId));
        Assert.Equal("int-7", seen[0].Key);
        Assert.Equal(1, seen[0].Attempt);
        Assert.Empty(hub.Pulsar.Messages(DeadLetters));
    }

    [Fact]
    public async Task A_command_that_fails_once_is_redelivered_and_acknowledged_when_it_succeeds()
    {
        await using var hub = await PulsarHarness.StartAsync();
        hub.Pulsar.CreateSubscription(Commands, "integration-hub");
        var flaky = hub.Pulsar.Publish(Commands, """{"action":"zulip.send","text":"flaky"}""");
        var attempts = new List<int>();

        var result = await hub.Drainer.DrainAsync((command, _) =>
        {
            attempts.Add(command.Attempt);
            return command.Attempt == 1 ? throw new TimeoutException("Zulip timed out") : Task.CompletedTask;
        }, Budget, CancellationToken.None);

        Assert.Equal([1, 2], attempts);
        Assert.Equal(1, result.Processed);
        Assert.Equal(1, result.Failed);
        Assert.True(hub.Pulsar.IsAcknowledged(Commands, "integration-hub", flaky.MessageId));
    }

    [Fact]
    public async Task A_poisoned_command_ends_in_the_dead_letter_topic_after_its_attempts_without_blocking_the_ones_behind_it()
    {
        await using var hub = await PulsarHarness.StartAsync();
        hub.Pulsar.CreateSubscription(Commands, "integration-hub");
        var poison = hub.Pulsar.Publish(Commands, """{"action":"zulip.send","stream":"missing"}""", key: "int-9", properties: new Dictionary<string, string> { ["tenantid"] = "acme" });
        var behind = Enumerable.Range(1, 4).Select(i => hub.Pulsar.Publish(Commands, $$"""{"action":"zulip.send","text":"m{{i}}"}""")).ToList();
        var calls = new List<string>();

        var result = await hub.Drainer.DrainAsync((command, _) =>
        {
            var text = command.Payload.TryGetProperty("text", out var t) ? t.GetString()! : $"poison#{command.Attempt}";
            calls.Add(text);
            return text.StartsWith("poison", StringComparison.Ordinal) ? throw new InvalidOperationException("stream 'missing' does not exist") : Task.CompletedTask;
        }, Budget, CancellationToken.None);

        Assert.Equal(new CommandDrainResult(Processed: 4, Failed: 2, DeadLettered: 1, BudgetExhausted: false), result);
        Assert.All(behind, m => Assert.True(hub.Pulsar.IsAcknowledged(Commands, "integration-hub", m.MessageId)));
        Assert.True(calls.IndexOf("m4") < calls.IndexOf("poison#2"), $"the commands behind the poisoned one must run while it waits for redelivery: {string.Join(", ", calls)}");
        Assert.Equal(3, calls.Count(c => c.StartsWith("poison", StringComparison.Ordinal)));

        Assert.True(hub.Pulsar.IsAcknowledged(Commands, "integration-hub", poison.MessageId));
        var dead = Assert.Single(hub.Pulsar.Messages(DeadLetters));
        Assert.Equal(poison.Text, dead.Text);
        Assert.Equal("int-9", dead.Key);
        Assert.Equal("acme", dead.Properties["tenantid"]);
        Assert.Equal("InvalidOperationException: stream 'missing' does not exist", dead.Properties[DeadLetterProperties.Reason]);
        Assert.Equal("3", dead.Properties[DeadLetterProperties.Attempts]);
        Assert.Equal(poison.MessageId, dead.Properties[DeadLetterProperties.OriginalMessageId]);
        Assert.Equal(Commands, dead.Properties[DeadLetterProperties.OriginalTopic]);
    }

    [Fact]
    public async Task A_command_that_is_not_json_is_dead_lettered_at_once_and_never_reaches_the_handler()
    {
        await using var hub = await PulsarHarness.StartAsync();
        hub.Pulsar.CreateSubscription(Commands, "integration-hub");
        var garbage = hub.Pulsar.Publish(Commands, "send hello to zulip");
        var handled = 0;

        var result = await hub.Drainer.DrainAsync((_, _) => { handled++; return Task.CompletedTask; }, Budget, CancellationToken.None);

        Assert.Equal(0, handled);
        Assert.Equal(1, result.DeadLettered);
        Assert.True(hub.Pulsar.IsAcknowledged(Commands, "integration-hub", garbage.MessageId));
        var dead = Assert.Single(hub.Pulsar.Messages(DeadLetters));
        Assert.StartsWith("payload is not JSON", dead.Properties[DeadLetterProperties.Reason], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_left_unacknowledged_when_the_connection_drops_are_executed_by_the_next_drain()
    {
        await using var hub = await PulsarHarness.StartAsync();
        hub.Pulsar.CreateSubscription(Commands, "integration-hub");
        var messages = Enumerable.Range(1, 3).Select(i => hub.Pulsar.Publish(Commands, $$"""{"n":{{i}}}""")).ToList();
        var executed = new List<int>();

        var first = await hub.Drainer.DrainAsync((command, _) =>
        {
            var n = command.Payload.GetProperty("n").GetInt32();
            if (n == 2)
            {
                // The acknowledgement of command 1 is on its way; once the broker has it, the connection drops.
                SpinWait.SpinUntil(() => hub.Pulsar.IsAcknowledged(Commands, "integration-hub", messages[0].MessageId), TimeSpan.FromSeconds(10));
                hub.Pulsar.DropAllConnections();
                throw new InvalidOperationException("lost the connection mid-command");
            }

            executed.Add(n);
            return Task.CompletedTask;
        }, Budget, CancellationToken.None);

        Assert.Equal(1, first.Processed);
        Assert.False(hub.Pulsar.IsAcknowledged(Commands, "integration-hub", messages[1].MessageId));

        var second = await hub.Drainer.DrainAsync((command, _) =>
        {
            executed.Add(command.Payload.GetProperty("n").GetInt32());
            return Task.CompletedTask;
        }, Budget, CancellationToken.None);

        Assert.Equal(2, second.Processed);
        Assert.Equal([1, 2, 3], executed.Order());
        Assert.All(messages, m => Assert.True(hub.Pulsar.IsAcknowledged(Commands, "integration-hub", m.MessageId)));
    }

    [Fact]
    public async Task The_drain_stops_taking_commands_when_its_budget_is_spent()
    {
        await using var hub = await PulsarHarness.StartAsync();
        hub.Pulsar.CreateSubscription(Commands, "integration-hub");
        var messages = Enumerable.Range(1, 5).Select(i => hub.Pulsar.Publish(Commands, $$"""{"n":{{i}}}""")).ToList();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var services = PulsarHarness.Build(hub.Pulsar.ServiceUrl, null);
        var drainer = new CommandDrainer(
            Microsoft.Extensions.Options.Options.Create(hub.Options),
            Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IntegrationHub.Pulsar.Producer.PulsarProducerPool>(services),
            time,
            Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IntegrationHub.Pulsar.Diagnostics.PulsarMetrics>(services),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<CommandDrainer>.Instance);

        var result = await drainer.DrainAsync((_, _) =>
        {
            time.Advance(TimeSpan.FromSeconds(4));
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.True(result.BudgetExhausted);
        Assert.Equal(3, result.Processed);
        Assert.Equal(3, messages.Count(m => hub.Pulsar.IsAcknowledged(Commands, "integration-hub", m.MessageId)));
    }

    [Fact]
    public async Task Payload_of_an_inbound_command_is_parsed_json()
    {
        await using var hub = await PulsarHarness.StartAsync();
        hub.Pulsar.CreateSubscription(Commands, "integration-hub");
        hub.Pulsar.Publish(Commands, """{"action":"zulip.send","to":["a","b"]}""", properties: new Dictionary<string, string> { ["integrationid"] = "int-3" });
        InboundCommand? seen = null;

        await hub.Drainer.DrainAsync((command, _) => { seen = command; return Task.CompletedTask; }, Budget, CancellationToken.None);

        Assert.NotNull(seen);
        Assert.Equal(JsonValueKind.Array, seen.Payload.GetProperty("to").ValueKind);
        Assert.Equal("int-3", seen.Properties["integrationid"]);
        Assert.Equal(0, seen.RedeliveryCount);
    }
}
