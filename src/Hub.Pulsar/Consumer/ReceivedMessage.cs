namespace IntegrationHub.Pulsar.Consumer;

/// <summary>A message the consumer endpoint delivered.</summary>
/// <param name="MessageId">The base64 id to acknowledge with.</param>
/// <param name="Payload">The decoded payload.</param>
/// <param name="Properties">Application properties.</param>
/// <param name="Key">The producer's key, if any.</param>
/// <param name="RedeliveryCount">How many times the broker already delivered it (negative acknowledgements count).</param>
/// <param name="PublishTime">The publish timestamp as the service formats it.</param>
public sealed record ReceivedMessage(string MessageId, ReadOnlyMemory<byte> Payload, IReadOnlyDictionary<string, string> Properties, string? Key, int RedeliveryCount, string? PublishTime);
