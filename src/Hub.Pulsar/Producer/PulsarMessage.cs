namespace IntegrationHub.Pulsar.Producer;

/// <summary>One message to publish.</summary>
/// <param name="SequenceId">The producer sequence id the broker deduplicates by (ignored by an unnamed producer). Strictly increasing within a send.</param>
/// <param name="Payload">The bytes stored on the topic.</param>
/// <param name="Key">The message key: routing on partitioned topics, and the ordering key for Key_Shared consumers.</param>
/// <param name="Properties">Application properties.</param>
public sealed record PulsarMessage(long SequenceId, ReadOnlyMemory<byte> Payload, string? Key, IReadOnlyDictionary<string, string>? Properties);

/// <summary>A message's receipt.</summary>
/// <param name="SequenceId">The message's sequence id.</param>
/// <param name="MessageId">The base64 message id the service returned.</param>
/// <param name="IsDuplicate">The broker already had this producer name and sequence id and dropped the re-send (its receipt carries ledger and entry -1).</param>
public sealed record PublishReceipt(long SequenceId, string MessageId, bool IsDuplicate);
