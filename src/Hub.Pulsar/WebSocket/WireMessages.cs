using System.Text.Json.Serialization;

namespace IntegrationHub.Pulsar.WebSocket;

/// <summary>
/// A message to publish, as the producer endpoint reads it (Pulsar WebSocket API, "Publish a message"):
/// base64 <c>payload</c>, <c>properties</c>, <c>context</c> (echoed in the receipt), <c>key</c>.
/// </summary>
/// <remarks>
/// There is deliberately no <c>sequenceId</c>: the proxy's <c>ProducerHandler</c> never applies one from the message;
/// the sequence id comes from the session's <c>initialSequenceId</c> query parameter (see <c>PulsarProducer</c>).
/// </remarks>
internal sealed record ProducerSend(
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("properties")] IReadOnlyDictionary<string, string>? Properties,
    [property: JsonPropertyName("context")] string Context,
    [property: JsonPropertyName("key")] string? Key);

/// <summary>
/// A receipt: <c>{"result":"ok","messageId":..,"context":..}</c> or <c>{"result":"send-error:N","errorMsg":..,"context":..}</c>,
/// where N is the proxy's <c>WebSocketError</c> code (3 bad JSON, 7 bad payload encoding, 8 unknown: broker error or send timeout).
/// </summary>
internal sealed record ProducerReceipt(
    [property: JsonPropertyName("result")] string? Result,
    [property: JsonPropertyName("messageId")] string? MessageId,
    [property: JsonPropertyName("context")] string? Context,
    [property: JsonPropertyName("errorMsg")] string? ErrorMessage)
{
    public bool IsOk => Result == "ok";

    /// <summary>The <c>WebSocketError</c> code of a <c>send-error:N</c> result, or 0.</summary>
    public int ErrorCode => Result is not null && Result.StartsWith("send-error:", StringComparison.Ordinal)
        && int.TryParse(Result.AsSpan("send-error:".Length), out var code) ? code : 0;
}

/// <summary>A message the consumer endpoint pushes (Pulsar WebSocket API, "Receive messages").</summary>
internal sealed record ConsumerDelivery(
    [property: JsonPropertyName("messageId")] string MessageId,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("properties")] Dictionary<string, string>? Properties,
    [property: JsonPropertyName("publishTime")] string? PublishTime,
    [property: JsonPropertyName("redeliveryCount")] int RedeliveryCount,
    [property: JsonPropertyName("key")] string? Key);

/// <summary>
/// A consumer command: an acknowledgement is <c>{"messageId":..}</c> with no type; a negative one is
/// <c>{"type":"negativeAcknowledge","messageId":..}</c>.
/// </summary>
internal sealed record ConsumerCommand(
    [property: JsonPropertyName("messageId")] string MessageId,
    [property: JsonPropertyName("type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type = null);

[JsonSerializable(typeof(ProducerSend))]
[JsonSerializable(typeof(ProducerReceipt))]
[JsonSerializable(typeof(ConsumerDelivery))]
[JsonSerializable(typeof(ConsumerCommand))]
internal sealed partial class WireJson : JsonSerializerContext;
