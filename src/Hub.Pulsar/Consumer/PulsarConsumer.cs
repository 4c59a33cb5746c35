using System.Threading.Channels;
using IntegrationHub.Pulsar.WebSocket;

namespace IntegrationHub.Pulsar.Consumer;

/// <summary>
/// A consumer on the WebSocket API's consumer endpoint (push mode, Shared subscription). The service pushes up to
/// <c>receiverQueueSize</c> unacknowledged messages; each is acknowledged with <c>{"messageId":..}</c> or negatively
/// acknowledged with <c>{"type":"negativeAcknowledge","messageId":..}</c>, after which the broker redelivers it
/// (with <c>redeliveryCount</c> + 1) once <c>negativeAckRedeliveryDelay</c> has passed. Whatever is unacknowledged
/// when the session ends is redelivered to the next session.
/// </summary>
/// <remarks>
/// Frames are read by one background loop into a channel, because cancelling a pending WebSocket receive aborts the
/// socket; waiting "at most n ms for the next message" is a wait on the channel instead.
/// </remarks>
public sealed class PulsarConsumer : IAsyncDisposable
{
    private readonly PulsarSession _session;
    private readonly Channel<ReceivedMessage> _deliveries = Channel.CreateUnbounded<ReceivedMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly TimeProvider _time;

    private PulsarConsumer(PulsarSession session, string topic, string subscription, TimeProvider time)
    {
        _session = session;
        _time = time;
        Topic = topic;
        Subscription = subscription;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>The qualified topic.</summary>
    public string Topic { get; }

    /// <summary>The subscription.</summary>
    public string Subscription { get; }

    /// <summary>Subscribes; a refused upgrade is a <see cref="PulsarException"/> with its HTTP status.</summary>
    public static async Task<PulsarConsumer> ConnectAsync(PulsarOptions options, string qualifiedTopic, string subscription, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = PulsarEndpoints.Consumer(options, qualifiedTopic, subscription);
        var session = await PulsarSession.ConnectAsync(endpoint, options, time, cancellationToken).ConfigureAwait(false);
        return new PulsarConsumer(session, qualifiedTopic, subscription, time);
    }

    /// <summary>The next message, or null when none arrives within <paramref name="wait"/>. Throws <see cref="PulsarException"/> when the session ended.</summary>
    public async Task<ReceivedMessage?> ReceiveAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (_deliveries.Reader.TryRead(out var ready))
        {
            return ready;
        }

        using var timeout = new CancellationTokenSource(wait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await _deliveries.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException e)
        {
            throw e.InnerException as PulsarException
                ?? new PulsarException($"Pulsar closed the consumer session on {Topic}.", isTransient: true, inner: e);
        }
    }

    /// <summary>Acknowledges: the broker will not deliver the message to this subscription again.</summary>
    public Task AcknowledgeAsync(string messageId, CancellationToken cancellationToken) =>
        SendAsync(new ConsumerCommand(messageId), cancellationToken);

    /// <summary>Negatively acknowledges: the broker redelivers it after the configured delay, with a higher redelivery count.</summary>
    public Task NegativeAcknowledgeAsync(string messageId, CancellationToken cancellationToken) =>
        SendAsync(new ConsumerCommand(messageId, "negativeAcknowledge"), cancellationToken);

    private async Task SendAsync(ConsumerCommand command, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _session.SendAsync(command, WireJson.Default.ConsumerCommand, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (await _session.ReceiveAsync(WireJson.Default.ConsumerDelivery, _stop.Token).ConfigureAwait(false) is { } delivery)
            {
                byte[] payload;
                try
                {
                    payload = Convert.FromBase64String(delivery.Payload ?? string.Empty);
                }
                catch (FormatException e)
                {
                    throw new PulsarException($"Pulsar delivered message {delivery.MessageId} on {Topic} with a payload that is not base64.", isTransient: false, inner: e);
                }

                var message = new ReceivedMessage(delivery.MessageId, payload, delivery.Properties ?? [], delivery.Key, delivery.RedeliveryCount, delivery.PublishTime);
                await _deliveries.Writer.WriteAsync(message, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (PulsarException e)
        {
            failure = e;
        }

        _deliveries.Writer.TryComplete(failure);
    }

    /// <summary>
    /// Closes the session cleanly: the close frame goes out after every acknowledgement already sent, and the
    /// service answers it after reading them, so no acknowledgement is cut off by a TCP abort.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await _sendGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await _session.CloseOutputAsync(timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                _sendGate.Release();
            }

            try
            {
                await _reader.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }
        }

        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (PulsarException)
        {
        }

        await _session.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _sendGate.Dispose();
    }
}
