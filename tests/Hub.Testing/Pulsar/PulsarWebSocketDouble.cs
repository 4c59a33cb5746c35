using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IntegrationHub.TestDoubles.Pulsar;

// Why hand-written (Kestrel, DoubleServer) and not WireMock.Net like the HTTP doubles: the hub talks to Pulsar over
// WebSockets (long-lived, both directions: producers send and get receipts, consumers get pushed messages and send
// acks/negative acks), and WireMock.Net 1.25 serves request/response HTTP only — it has no WebSocket endpoint. The
// broker behaviour behind it (sequence ids, deduplication, redelivery, receiver queues) is state no mapping holds.

/// <summary>
/// A protocol-faithful double of Apache Pulsar's WebSocket service (docs: "Pulsar WebSocket API"; behaviour from
/// <c>pulsar-websocket</c>'s ProducerHandler/ConsumerHandler and the Java producer/broker they drive):
/// <list type="bullet">
/// <item>Producer endpoint <c>/ws/v2/producer/persistent/{tenant}/{ns}/{topic}</c>: JSON messages
/// <c>{payload (base64), properties, context, key}</c>; receipts <c>{"result":"ok","messageId","context"}</c> or
/// <c>{"result":"send-error:N","errorMsg","context"}</c>. Sequence ids are assigned as the proxy's Java producer does:
/// from <c>initialSequenceId + 1</c>, else from the broker's last persisted id for the producer name + 1, else 0.
/// One live producer per name and topic (a second one is refused with 409, ProducerBusy).</item>
/// <item>Broker deduplication (on by default): a message whose sequence id is not above the highest persisted for its
/// producer name is dropped and acknowledged with message id ledger -1, entry -1.</item>
/// <item>Consumer endpoint <c>/ws/v2/consumer/persistent/{tenant}/{ns}/{topic}/{subscription}</c>: pushes
/// <c>{messageId, payload, properties, publishTime, redeliveryCount, key}</c> up to <c>receiverQueueSize</c>
/// unacknowledged; <c>{"messageId"}</c> acknowledges, <c>{"type":"negativeAcknowledge","messageId"}</c> redelivers after
/// <c>negativeAckRedeliveryDelay</c> ms with <c>redeliveryCount</c> + 1 (Shared: other messages keep flowing meanwhile).
/// A new subscription starts at the end of the topic (Pulsar's default, Latest) unless created with <see cref="CreateSubscription"/>.
/// Unacknowledged messages of a closed session are delivered again (the double does not count that as a redelivery).</item>
/// <item>Token auth when <see cref="RequiredToken"/> is set: <c>Authorization: Bearer</c> or the <c>token</c> query param; else 401.</item>
/// <item><c>/status.html</c>: 200 "OK" (the service's VIP status).</item>
/// </list>
/// Test controls: <see cref="DropAllConnections"/>, <see cref="DropProducerAfter"/>, <see cref="RefuseSends"/>,
/// <see cref="SwallowReceipts"/>, <see cref="GoDown"/> / <see cref="ComeBack"/>; inspection: <see cref="Messages"/>.
/// </summary>
public sealed class PulsarWebSocketDouble : DoubleServer
{
    private readonly ConcurrentDictionary<string, TopicLog> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private long _connectionIds;
    private readonly Queue<int> _dropSchedule = new();
    private int _dropAfter;
    private int _downAfter;
    private int _generatedNames;

    /// <summary>When set, every upgrade must carry this token.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Broker-side deduplication (namespace policy). On by default.</summary>
    public bool DeduplicationEnabled { get; set; } = true;

    /// <summary>While true, sends get an error receipt <c>send-error:8</c> (consuming their sequence ids, as a failed Java send does); a session that refused one refuses the rest.</summary>
    public bool RefuseSends { get; set; }

    /// <summary>The <c>WebSocketError</c> code of a refusal (<see cref="RefuseSends"/>): 8 (UnknownError, the client retries) by default; 7 (PayloadEncodingError) is one no retry can cure.</summary>
    public int RefusalCode { get; set; } = 8;

    /// <summary>The <c>errorMsg</c> of a refusal.</summary>
    public string RefusalMessage { get; set; } = "org.apache.pulsar.client.api.PulsarClientException$TimeoutException: refused by the test double";

    /// <summary>While true, sends are read and neither stored nor answered (a broker that stopped responding).</summary>
    public bool SwallowReceipts { get; set; }

    /// <summary>While true, upgrades and <c>/status.html</c> answer 503.</summary>
    public bool IsDown { get; private set; }

    /// <summary>Producer sessions opened so far.</summary>
    public int ProducerSessions => Volatile.Read(ref _producerSessions);

    private int _producerSessions;
    private int _duplicatesDropped;

    /// <summary>Re-sends dropped by deduplication so far.</summary>
    public int DuplicatesDropped => Volatile.Read(ref _duplicatesDropped);

    /// <summary>The service URL for <c>Pulsar:ServiceUrl</c>: <c>ws://127.0.0.1:port</c>.</summary>
    public string ServiceUrl => $"ws://{BaseAddress.Authority}";

    /// <summary>Messages stored on a topic (<c>persistent://tenant/ns/topic</c>), in order.</summary>
    public IReadOnlyList<StoredMessage> Messages(string topic)
    {
        var log = _topics.GetValueOrDefault(topic);
        if (log is null)
        {
            return [];
        }

        lock (log)
        {
            return [.. log.Entries];
        }
    }

    /// <summary>Stores a message as an unnamed producer would (seeding commands).</summary>
    public StoredMessage Publish(string topic, string payload, string? key = null, IReadOnlyDictionary<string, string>? properties = null)
    {
        var log = Topic(topic);
        lock (log)
        {
            return log.Append(null, -1, Encoding.UTF8.GetBytes(payload), key, properties ?? new Dictionary<string, string>());
        }
    }

    /// <summary>Creates a durable subscription at the start of the topic (like <c>pulsar-admin topics create-subscription -m earliest</c>).</summary>
    public void CreateSubscription(string topic, string subscription)
    {
        var log = Topic(topic);
        lock (log)
        {
            log.Subscriptions.TryAdd(subscription, new SubscriptionState(0));
        }
    }

    /// <summary>Whether the subscription acknowledged the message.</summary>
    public bool IsAcknowledged(string topic, string subscription, string messageId)
    {
        var log = Topic(topic);
        lock (log)
        {
            return log.Subscriptions.TryGetValue(subscription, out var sub)
                && log.Entries.FirstOrDefault(e => e.MessageId == messageId) is { } entry
                && sub.Acked.Contains(entry.EntryId);
        }
    }

    /// <summary>Drops every open session at once (TCP abort, no close frame).</summary>
    public void DropAllConnections()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Drop();
        }
    }

    /// <summary>
    /// After <paramref name="counts"/>[0] more messages are persisted, drops that producer session before sending the
    /// last one's receipt (stored, receipt lost); then counts the next number of messages from there, and so on.
    /// </summary>
    public void DropProducerAfter(params int[] counts)
    {
        lock (_dropSchedule)
        {
            foreach (var count in counts)
            {
                _dropSchedule.Enqueue(count);
            }

            if (_dropAfter <= 0 && _dropSchedule.Count > 0)
            {
                _dropAfter = _dropSchedule.Dequeue();
            }
        }
    }

    /// <summary>After <paramref name="messages"/> more messages are persisted, goes down (<see cref="GoDown"/>) before sending the last one's receipt.</summary>
    public void GoDownAfter(int messages)
    {
        lock (_dropSchedule)
        {
            _downAfter = messages;
        }
    }

    /// <summary>Refuses every upgrade and status request with 503 and drops open sessions.</summary>
    public void GoDown()
    {
        IsDown = true;
        DropAllConnections();
    }

    /// <summary>Accepts sessions again.</summary>
    public void ComeBack() => IsDown = false;

    protected override void Map(WebApplication app)
    {
        app.MapGet("/status.html", (HttpContext c) => IsDown ? Results.StatusCode(503) : Results.Text("OK"));
        app.Map("/ws/v2/producer/persistent/{tenant}/{ns}/{topic}", (HttpContext c, string tenant, string ns, string topic) => ProducerAsync(c, $"persistent://{tenant}/{ns}/{topic}"));
        app.Map("/ws/v2/consumer/persistent/{tenant}/{ns}/{topic}/{subscription}", (HttpContext c, string tenant, string ns, string topic, string subscription) => ConsumerAsync(c, $"persistent://{tenant}/{ns}/{topic}", subscription));
    }

    private TopicLog Topic(string topic) => _topics.GetOrAdd(topic, _ => new TopicLog(_topics.Count + 1));

    private IResult? Refuse(HttpContext context)
    {
        if (IsDown)
        {
            return Results.StatusCode(503);
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Results.StatusCode(400);
        }

        if (RequiredToken is not null)
        {
            var header = context.Request.Headers.Authorization.ToString();
            var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : context.Request.Query["token"].ToString();
            if (token != RequiredToken)
            {
                return Results.Text("Failed to authenticate", statusCode: 401);
            }
        }

        return null;
    }

    private async Task ProducerAsync(HttpContext context, string topic)
    {
        if (Refuse(context) is { } refusal)
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        var query = context.Request.Query;
        long? initial = null;
        if (query.TryGetValue("initialSequenceId", out var initialText))
        {
            if (!long.TryParse(initialText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                await Results.Text("Invalid query params: initialSequenceId", statusCode: 400).ExecuteAsync(context);
                return;
            }

            initial = parsed;
        }

        var log = Topic(topic);
        var name = query.TryGetValue("producerName", out var n) && !string.IsNullOrEmpty(n) ? n.ToString() : $"double-{Interlocked.Increment(ref _generatedNames)}";
        long next = 0;
        bool busy;
        lock (log)
        {
            busy = !log.LiveProducers.Add(name);
            if (!busy)
            {
                next = initial is { } i ? i + 1 : DeduplicationEnabled && log.HighestSequence.TryGetValue(name, out var last) ? last + 1 : 0;
            }
        }

        if (busy)
        {
            await Results.Text($"Failed to create producer: Producer with name '{name}' is already connected to topic", statusCode: 409).ExecuteAsync(context);
            return;
        }

        Interlocked.Increment(ref _producerSessions);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = Register(socket, () => { lock (log) { log.LiveProducers.Remove(name); } });
        var sessionFailed = false;
        try
        {
            while (await ReadTextAsync(socket) is { } text)
            {
                JsonObject frame;
                try
                {
                    frame = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
                }
                catch (JsonException e)
                {
                    await SendAsync(socket, Receipt("send-error:3", null, null, e.Message));
                    continue;
                }

                var contextValue = frame["context"]?.ToString();
                byte[] payload;
                try
                {
                    payload = Convert.FromBase64String(frame["payload"]?.GetValue<string>() ?? throw new FormatException("payload is null"));
                }
                catch (Exception e) when (e is FormatException or InvalidOperationException)
                {
                    await SendAsync(socket, Receipt("send-error:7", null, contextValue, $"Invalid Base64 message-payload error={e.Message}"));
                    continue;
                }

                var sequenceId = next++;
                if (SwallowReceipts)
                {
                    continue;
                }

                if (RefuseSends || sessionFailed)
                {
                    // A producer whose send failed fails every later send too (it does not persist a later message
                    // after dropping an earlier one), until the client opens a new session.
                    sessionFailed = true;
                    await SendAsync(socket, Receipt($"send-error:{RefusalCode}", null, contextValue, RefusalMessage));
                    continue;
                }

                string messageId;
                var stored = false;
                lock (log)
                {
                    if (DeduplicationEnabled && log.HighestSequence.TryGetValue(name, out var highest) && sequenceId <= highest)
                    {
                        messageId = MessageIdOf(-1, -1);
                        Interlocked.Increment(ref _duplicatesDropped);
                    }
                    else
                    {
                        var properties = frame["properties"] is JsonObject props
                            ? props.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty)
                            : new Dictionary<string, string>();
                        messageId = log.Append(name, sequenceId, payload, frame["key"]?.ToString(), properties).MessageId;
                        log.HighestSequence[name] = sequenceId;
                        stored = true;
                    }
                }

                var (drop, down) = stored ? CountPersisted() : (false, false);
                if (down)
                {
                    GoDown();
                    break;
                }

                if (drop)
                {
                    connection.Drop();
                    break;
                }

                await SendAsync(socket, Receipt("ok", messageId, contextValue, null));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            connection.Release();
        }
    }

    private async Task ConsumerAsync(HttpContext context, string topic, string subscription)
    {
        if (Refuse(context) is { } refusal)
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        var query = context.Request.Query;
        var queueSize = int.TryParse(query["receiverQueueSize"], CultureInfo.InvariantCulture, out var q) ? Math.Min(q, 1000) : 1000;
        var nackDelay = TimeSpan.FromMilliseconds(int.TryParse(query["negativeAckRedeliveryDelay"], CultureInfo.InvariantCulture, out var d) ? d : 60_000);
        var log = Topic(topic);
        SubscriptionState sub;
        lock (log)
        {
            sub = log.Subscriptions.GetOrAdd(subscription, _ => new SubscriptionState(log.Entries.Count));
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var mine = new HashSet<long>();
        var connection = Register(socket, () => { });
        try
        {
            var reader = ReadCommandsAsync(socket, log, sub, mine, nackDelay);
            while (!reader.IsCompleted && socket.State == WebSocketState.Open)
            {
                var deliveries = new List<string>();
                lock (log)
                {
                    var now = DateTimeOffset.UtcNow;
                    foreach (var entry in log.Entries.Skip((int)sub.Start))
                    {
                        if (mine.Count >= queueSize)
                        {
                            break;
                        }

                        if (sub.Acked.Contains(entry.EntryId) || sub.InFlight.Contains(entry.EntryId)
                            || (sub.RedeliverAt.TryGetValue(entry.EntryId, out var due) && due > now))
                        {
                            continue;
                        }

                        sub.InFlight.Add(entry.EntryId);
                        mine.Add(entry.EntryId);
                        deliveries.Add(Delivery(entry, sub.RedeliveryCount.GetValueOrDefault(entry.EntryId)));
                    }
                }

                foreach (var delivery in deliveries)
                {
                    await SendAsync(socket, delivery);
                }

                await Task.WhenAny(reader, Task.Delay(5));
            }

            // Only this loop sends on the socket; it answers the client's close once the reader has seen it.
            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            lock (log)
            {
                foreach (var entryId in mine)
                {
                    sub.InFlight.Remove(entryId);
                }
            }

            connection.Release();
        }
    }

    private (bool Drop, bool Down) CountPersisted()
    {
        lock (_dropSchedule)
        {
            var down = _downAfter > 0 && --_downAfter == 0;
            var drop = _dropAfter > 0 && --_dropAfter == 0;
            if (drop && _dropSchedule.Count > 0)
            {
                _dropAfter = _dropSchedule.Dequeue();
            }

            return (drop, down);
        }
    }

    private static async Task ReadCommandsAsync(WebSocket socket, TopicLog log, SubscriptionState sub, HashSet<long> mine, TimeSpan nackDelay)
    {
        await Task.Yield();
        try
        {
            while (await ReadTextAsync(socket, answerClose: false) is { } text)
            {
                var command = JsonNode.Parse(text) as JsonObject;
                var messageId = command?["messageId"]?.ToString();
                var type = command?["type"]?.ToString();
                lock (log)
                {
                    var entry = log.Entries.FirstOrDefault(e => e.MessageId == messageId);
                    if (entry is null || !mine.Remove(entry.EntryId))
                    {
                        continue;
                    }

                    sub.InFlight.Remove(entry.EntryId);
                    if (type == "negativeAcknowledge")
                    {
                        sub.RedeliveryCount[entry.EntryId] = sub.RedeliveryCount.GetValueOrDefault(entry.EntryId) + 1;
                        sub.RedeliverAt[entry.EntryId] = DateTimeOffset.UtcNow + nackDelay;
                    }
                    else if (type is null)
                    {
                        sub.Acked.Add(entry.EntryId);
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or JsonException or OperationCanceledException)
        {
        }
    }

    private Connection Register(WebSocket socket, Action release)
    {
        var id = Interlocked.Increment(ref _connectionIds);
        var connection = new Connection(socket, release, () => _connections.TryRemove(id, out _));
        _connections[id] = connection;
        return connection;
    }

    private static string Receipt(string result, string? messageId, string? context, string? error)
    {
        var receipt = new JsonObject { ["result"] = result };
        if (error is not null)
        {
            receipt["errorMsg"] = error;
        }

        if (messageId is not null)
        {
            receipt["messageId"] = messageId;
        }

        if (context is not null)
        {
            receipt["context"] = context;
        }

        receipt["errorCode"] = 0;
        receipt["schemaVersion"] = 0;
        return receipt.ToJsonString();
    }

    private static string Delivery(StoredMessage entry, int redeliveryCount)
    {
        var message = new JsonObject
        {
            ["messageId"] = entry.MessageId,
            ["payload"] = Convert.ToBase64String(entry.Payload),
            ["properties"] = new JsonObject(entry.Properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            ["publishTime"] = entry.PublishTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            ["redeliveryCount"] = redeliveryCount,
        };
        if (entry.Key is not null)
        {
            message["key"] = entry.Key;
        }

        return message.ToJsonString();
    }

    /// <summary>A base64 protobuf <c>MessageIdData</c>: field 1 ledgerId, field 2 entryId (uint64 varints), as the service returns them.</summary>
    internal static string MessageIdOf(long ledgerId, long entryId)
    {
        var bytes = new List<byte> { 0x08 };
        Varint(bytes, unchecked((ulong)ledgerId));
        bytes.Add(0x10);
        Varint(bytes, unchecked((ulong)entryId));
        return Convert.ToBase64String(bytes.ToArray());

        static void Varint(List<byte> output, ulong value)
        {
            while (value >= 0x80)
            {
                output.Add((byte)(value | 0x80));
                value >>= 7;
            }

            output.Add((byte)value);
        }
    }

    private static async Task<string?> ReadTextAsync(WebSocket socket, bool answerClose = true)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(1024), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (answerClose && socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }

                return null;
            }

            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer.WrittenSpan);
            }
        }
    }

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private sealed class TopicLog(int ledgerId)
    {
        public List<StoredMessage> Entries { get; } = [];

        public Dictionary<string, long> HighestSequence { get; } = new(StringComparer.Ordinal);

        public HashSet<string> LiveProducers { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, SubscriptionState> Subscriptions { get; } = new(StringComparer.Ordinal);

        public StoredMessage Append(string? producerName, long sequenceId, byte[] payload, string? key, IReadOnlyDictionary<string, string> properties)
        {
            var entryId = Entries.Count;
            var message = new StoredMessage(MessageIdOf(ledgerId, entryId), entryId, producerName, sequenceId, payload, key, properties, DateTimeOffset.UtcNow);
            Entries.Add(message);
            return message;
        }
    }

    private sealed class SubscriptionState(long start)
    {
        public long Start { get; } = start;

        public HashSet<long> Acked { get; } = [];

        public HashSet<long> InFlight { get; } = [];

        public Dictionary<long, int> RedeliveryCount { get; } = [];

        public Dictionary<long, DateTimeOffset> RedeliverAt { get; } = [];
    }

    private sealed class Connection(WebSocket socket, Action release, Action unregister)
    {
        private int _released;

        /// <summary>Frees the producer name first (as the broker does once the session is gone), then aborts the TCP connection.</summary>
        public void Drop()
        {
            Release();
            socket.Abort();
        }

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
                unregister();
            }
        }
    }
}

/// <summary>A message stored on a topic of the double.</summary>
public sealed record StoredMessage(string MessageId, long EntryId, string? ProducerName, long SequenceId, byte[] Payload, string? Key, IReadOnlyDictionary<string, string> Properties, DateTimeOffset PublishTime)
{
    /// <summary>The payload as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Payload);
}
