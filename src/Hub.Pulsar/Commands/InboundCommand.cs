using System.Text.Json;

namespace IntegrationHub.Pulsar.Commands;

/// <summary>A command read from the commands topic, e.g. "send this message to Zulip".</summary>
/// <param name="MessageId">The Pulsar message id.</param>
/// <param name="Payload">The message payload, parsed as JSON (the command's shape is the connector action's business).</param>
/// <param name="RedeliveryCount">How many times it was delivered before; <see cref="Attempt"/> is this plus one.</param>
/// <param name="Key">The message key (e.g. the target integration), if the producer set one.</param>
/// <param name="Properties">Message properties.</param>
public sealed record InboundCommand(string MessageId, JsonElement Payload, int RedeliveryCount, string? Key, IReadOnlyDictionary<string, string> Properties)
{
    /// <summary>Which execution this is: 1 for the first delivery.</summary>
    public int Attempt => RedeliveryCount + 1;
}

/// <summary>What one drain did.</summary>
/// <param name="Processed">Commands executed and acknowledged.</param>
/// <param name="Failed">Commands that failed and were negatively acknowledged (they come back later).</param>
/// <param name="DeadLettered">Commands moved to the dead-letter topic (and acknowledged).</param>
/// <param name="BudgetExhausted">Whether the drain stopped because its time budget ran out rather than because the topic went quiet.</param>
public sealed record CommandDrainResult(int Processed, int Failed, int DeadLettered, bool BudgetExhausted);
