using System.Globalization;
using IntegrationHub.Pulsar.Diagnostics;
using IntegrationHub.Pulsar.WebSocket;
using IntegrationHub.Shared.Resilience.Backoff;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Pulsar.Producer;

/// <summary>
/// A producer on the WebSocket API's producer endpoint for one topic and one producer name: pipelined sends, each
/// with its own <c>context</c>, and every receipt awaited; a dropped session, an error receipt or a missing receipt
/// leads to a new session that re-sends, in order, everything not yet receipted.
/// </summary>
/// <remarks>
/// <para><b>Sequence ids over WebSocket.</b> The proxy's <c>ProducerHandler</c> does not take a sequence id from the
/// message JSON: its Java producer numbers messages itself, from <c>initialSequenceId + 1</c> when that query
/// parameter is given (otherwise from the broker's last persisted id for the producer name). So every session is
/// opened with <c>producerName</c> (stable) and <c>initialSequenceId = s - 1</c>, where <c>s</c> is the sequence id of
/// the first message it will carry, and a session only carries consecutive sequence ids; a gap opens a new session.
/// The n-th message of a session therefore has exactly the sequence id the hub gave it, every time it is sent, and
/// a broker with deduplication enabled drops re-sends of what it already persisted (acknowledging them with message
/// id -1:-1, counted as <c>duplicate</c>).</para>
/// <para>Receipts are awaited up to <see cref="PulsarOptions.SendTimeout"/> from the send (the proxy's producer
/// itself never times out: <c>sendTimeoutMillis=0</c>, so what the broker persists of a session is always a prefix
/// of it, and re-sending from the first unreceipted message can neither lose nor reorder anything); the window of
/// messages in flight is <see cref="PulsarOptions.MaxPendingMessages"/>, which is also the proxy's queue size, so its
/// queue can never be full (a "queue full" error would fail one message and let later ones through, out of order).</para>
/// <para>An unnamed producer (no deduplication: dead letters) gets no <c>initialSequenceId</c> and is at-least-once.</para>
/// <para>One caller at a time; <see cref="SendAsync"/> serialises callers.</para>
/// </remarks>
public sealed class PulsarProducer : IAsyncDisposable
{
    private readonly PulsarOptions _options;
    private readonly TimeProvider _time;
    private readonly PulsarMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PulsarSession? _session;
    private long _nextSequenceId;

    public PulsarProducer(string qualifiedTopic, string? producerName, PulsarOptions options, TimeProvider time, PulsarMetrics metrics, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(qualifiedTopic);
        Topic = qualifiedTopic;
        ProducerName = string.IsNullOrWhiteSpace(producerName) ? null : producerName;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The qualified topic.</summary>
    public string Topic { get; }

    /// <summary>The stable producer name, or null for an unnamed (non-deduplicated) producer.</summary>
    public string? ProducerName { get; }

    private bool Sequenced => ProducerName is not null;

    /// <summary>
    /// Publishes the messages in order and returns their receipts (same order) once every one is receipted.
    /// Throws <see cref="PulsarException"/> (transient: broker down, timeouts after every attempt) otherwise;
    /// sending the same messages again is then safe for a named producer.
    /// </summary>
    public async Task<IReadOnlyList<PublishReceipt>> SendAsync(IReadOnlyList<PulsarMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (Sequenced)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (messages[i].SequenceId < 0 || (i > 0 && messages[i].SequenceId <= messages[i - 1].SequenceId))
                {
                    throw new ArgumentException($"Sequence ids must be non-negative and strictly increasing; message {i} has {messages[i].SequenceId}.", nameof(messages));
                }
            }
        }

        var receipts = new PublishReceipt?[messages.Count];
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var start = 0;
            while (start < messages.Count)
            {
                var end = start + 1;
                while (Sequenced && end < messages.Count && messages[end].SequenceId == messages[end - 1].SequenceId + 1)
                {
                    end++;
                }

                if (!Sequenced)
                {
                    end = messages.Count;
                }

                await SendRunAsync(messages, start, end, receipts, cancellationToken).ConfigureAwait(false);
                start = end;
            }
        }
        finally
        {
            _gate.Release();
        }

        return receipts!;
    }

    private async Task SendRunAsync(IReadOnlyList<PulsarMessage> messages, int start, int end, PublishReceipt?[] receipts, CancellationToken cancellationToken)
    {
        var run = new RunState(start);
        while (true)
        {
            // One burst of sessions that bring no receipt, retried with the hub's backoff; a session that made progress
            // ends the burst and the next one starts with a fresh count, so a long stream over a flaky link keeps going.
            var fruitless = 0;
            var progressed = false;
            var reconnect = new BackoffOptions
            {
                FirstDelay = _options.ReconnectInitialDelay,
                MaxDelay = _options.ReconnectMaxDelay,
                MaxRetries = int.MaxValue,
                ShouldRetry = e => e is PulsarException { IsTransient: true } && !progressed && fruitless < _options.MaxSendAttempts,
                OnRetry = retry =>
                {
                    Resent(run);
                    Logs.ProducerRetrying(_logger, ProducerName ?? "(unnamed)", Topic, fruitless + 1, end - run.FirstUnreceipted, messages[run.FirstUnreceipted].SequenceId, retry.Delay.TotalMilliseconds, retry.Failure.Message);
                    return ValueTask.CompletedTask;
                },
            }.Build(_time);

            try
            {
                await reconnect.ExecuteAsync(
                    async ct =>
                    {
                        var before = run.FirstUnreceipted;
                        try
                        {
                            var session = await EnsureSessionAsync(messages[run.FirstUnreceipted].SequenceId, ct).ConfigureAwait(false);
                            await PumpAsync(session, messages, run, end, receipts, ct).ConfigureAwait(false);
                        }
                        catch (PulsarException e) when (e.IsTransient && !ct.IsCancellationRequested)
                        {
                            await DropSessionAsync().ConfigureAwait(false);
                            _metrics.Reconnect(Topic);
                            progressed = run.FirstUnreceipted > before;
                            fruitless = progressed ? 0 : fruitless + 1;
                            throw;
                        }
                        catch
                        {
                            await DropSessionAsync().ConfigureAwait(false);
                            throw;
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PulsarException e) when (e.IsTransient && progressed && !cancellationToken.IsCancellationRequested)
            {
                Resent(run);
                Logs.ProducerRetrying(_logger, ProducerName ?? "(unnamed)", Topic, 1, end - run.FirstUnreceipted, messages[run.FirstUnreceipted].SequenceId, 0, e.Message);
            }
            catch (PulsarException e) when (e.IsTransient && fruitless >= _options.MaxSendAttempts)
            {
                throw new PulsarException(
                    $"Publishing to {Topic} failed {fruitless} time(s) in a row; {end - run.FirstUnreceipted} message(s) have no receipt. Last error: {e.Message}",
                    isTransient: true, e.HttpStatus, e);
            }
        }
    }

    private void Resent(RunState run)
    {
        var unsentAgain = run.Sent - run.FirstUnreceipted;
        if (unsentAgain > 0)
        {
            _metrics.Resent(Topic, unsentAgain);
        }
    }

    private async Task PumpAsync(PulsarSession session, IReadOnlyList<PulsarMessage> messages, RunState run, int end, PublishReceipt?[] receipts, CancellationToken cancellationToken)
    {
        var inFlight = new Dictionary<string, (int Index, long SentAt)>(StringComparer.Ordinal);
        var next = run.FirstUnreceipted;
        run.Sent = next;
        try
        {
            while (run.FirstUnreceipted < end)
            {
                while (next < end && inFlight.Count < _options.MaxPendingMessages)
                {
                    var message = messages[next];
                    var context = Sequenced ? message.SequenceId.ToString(CultureInfo.InvariantCulture) : next.ToString(CultureInfo.InvariantCulture);
                    var frame = new ProducerSend(Convert.ToBase64String(message.Payload.Span), message.Properties, context, message.Key);
                    inFlight[context] = (next, _time.GetTimestamp());
                    _metrics.Pending(1);
                    await session.SendAsync(frame, WireJson.Default.ProducerSend, cancellationToken).ConfigureAwait(false);
                    _nextSequenceId = message.SequenceId + 1;
                    run.Sent = ++next;
                }

                var oldest = inFlight.Values.Min(v => v.SentAt);
                var remaining = _options.SendTimeout - _time.GetElapsedTime(oldest);
                var receipt = await ReceiveReceiptAsync(session, remaining, cancellationToken).ConfigureAwait(false);
                if (receipt.Context is null || !inFlight.Remove(receipt.Context, out var sent))
                {
                    if (!receipt.IsOk)
                    {
                        throw new PulsarException($"Pulsar rejected a frame on {Topic}: {receipt.Result} {receipt.ErrorMessage}", isTransient: false);
                    }

                    continue;
                }

                _metrics.Pending(-1);
                var sequenceId = messages[sent.Index].SequenceId;
                if (!receipt.IsOk)
                {
                    _metrics.Published(Topic, "error");
                    var permanent = receipt.ErrorCode is 3 or 7;
                    throw new PulsarException(
                        $"Pulsar refused message {sequenceId} on {Topic}: {receipt.Result} {receipt.ErrorMessage}".TrimEnd(),
                        isTransient: !permanent);
                }

                var duplicate = MessageIds.IsDuplicate(receipt.MessageId);
                _metrics.Published(Topic, duplicate ? "duplicate" : "ok");
                _metrics.PublishLatency(Topic, _time.GetElapsedTime(sent.SentAt));
                receipts[sent.Index] = new PublishReceipt(sequenceId, receipt.MessageId ?? string.Empty, duplicate);
                while (run.FirstUnreceipted < end && receipts[run.FirstUnreceipted] is not null)
                {
                    run.FirstUnreceipted++;
                }
            }
        }
        finally
        {
            if (inFlight.Count > 0)
            {
                _metrics.Pending(-inFlight.Count);
            }
        }
    }

    private async Task<ProducerReceipt> ReceiveReceiptAsync(PulsarSession session, TimeSpan remaining, CancellationToken cancellationToken)
    {
        if (remaining <= TimeSpan.Zero)
        {
            throw new PulsarException($"No receipt from Pulsar on {Topic} within {_options.SendTimeout.TotalSeconds:0.###} s (Pulsar__SendTimeout).", isTransient: true);
        }

        using var timeout = new CancellationTokenSource(remaining, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await session.ReceiveAsync(WireJson.Default.ProducerReceipt, linked.Token).ConfigureAwait(false)
                ?? throw new PulsarException($"Pulsar closed the producer session on {Topic}.", isTransient: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PulsarException($"No receipt from Pulsar on {Topic} within {_options.SendTimeout.TotalSeconds:0.###} s (Pulsar__SendTimeout).", isTransient: true);
        }
    }

    private async Task<PulsarSession> EnsureSessionAsync(long firstSequenceId, CancellationToken cancellationToken)
    {
        if (_session is not null && (!Sequenced || _nextSequenceId == firstSequenceId))
        {
            return _session;
        }

        await DropSessionAsync().ConfigureAwait(false);
        var endpoint = PulsarEndpoints.Producer(_options, Topic, ProducerName, Sequenced ? firstSequenceId - 1 : null);
        _session = await PulsarSession.ConnectAsync(endpoint, _options, _time, cancellationToken).ConfigureAwait(false);
        _nextSequenceId = firstSequenceId;
        Logs.ProducerSessionOpened(_logger, ProducerName ?? "(unnamed)", Topic, firstSequenceId);
        return _session;
    }

    private async Task DropSessionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            session.Abort();
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes the session cleanly, so the broker frees the producer name at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_session is { } session)
            {
                _session = null;
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    private sealed class RunState(int first)
    {
        public int FirstUnreceipted { get; set; } = first;

        public int Sent { get; set; } = first;
    }
}
