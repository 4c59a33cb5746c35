using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace IntegrationHub.Pulsar.WebSocket;

/// <summary>
/// One WebSocket session with the Pulsar WebSocket service: JSON text frames both ways. One sender and one
/// receiver at a time (as <see cref="ClientWebSocket"/> allows); the producer and consumer keep to that.
/// </summary>
internal sealed class PulsarSession : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly ArrayBufferWriter<byte> _receiveBuffer = new(4096);

    private PulsarSession(ClientWebSocket socket, Uri endpoint)
    {
        _socket = socket;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint (without secrets: the token travels in a header).</summary>
    public Uri Endpoint { get; }

    /// <summary>Opens a session; a refused upgrade becomes a <see cref="PulsarException"/> with its HTTP status.</summary>
    public static async Task<PulsarSession> ConnectAsync(Uri endpoint, PulsarOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        if (!string.IsNullOrEmpty(options.Token))
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + options.Token);
        }

        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            return new PulsarSession(socket, endpoint);
        }
        catch (Exception e)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            if (cancellationToken.IsCancellationRequested || e is not (WebSocketException or HttpRequestException or OperationCanceledException))
            {
                throw;
            }

            throw Refused(endpoint, status, e, timeout.IsCancellationRequested, options.ConnectTimeout);
        }
    }

    /// <summary>Sends one JSON text frame.</summary>
    public async Task SendAsync<T>(T message, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, type);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // An aborted socket surfaces as OperationCanceledException without our token being cancelled.
            throw new PulsarException($"Pulsar session to {Endpoint.AbsolutePath} dropped while sending: {(e.InnerException ?? e).Message}", isTransient: true, inner: e);
        }
    }

    /// <summary>Reads the next JSON text frame; null when the service closed the session.</summary>
    public async Task<T?> ReceiveAsync<T>(JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        _receiveBuffer.ResetWrittenCount();
        try
        {
            while (true)
            {
                var memory = _receiveBuffer.GetMemory(4096);
                var result = await _socket.ReceiveAsync(memory, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                _receiveBuffer.Advance(result.Count);
                if (result.EndOfMessage)
                {
                    return JsonSerializer.Deserialize(_receiveBuffer.WrittenSpan, type)
                        ?? throw new PulsarException($"Pulsar sent an empty frame on {Endpoint.AbsolutePath}.", isTransient: true);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new PulsarException($"Pulsar session to {Endpoint.AbsolutePath} dropped: {(e.InnerException ?? e).Message}", isTransient: true, inner: e);
        }
        catch (JsonException e)
        {
            throw new PulsarException($"Pulsar sent a frame on {Endpoint.AbsolutePath} that is not the documented JSON: {e.Message}", isTransient: false, inner: e);
        }
    }

    /// <summary>Sends the close frame without waiting for the answer (a concurrent receive sees the service's close).</summary>
    public async Task CloseOutputAsync(CancellationToken cancellationToken)
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                _socket.Abort();
            }
        }
    }

    /// <summary>Drops the connection at once, e.g. after a send timeout, so the proxy closes its producer and frees the name.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
                _socket.Abort();
            }
        }

        _socket.Dispose();
    }

    private static PulsarException Refused(Uri endpoint, int status, Exception e, bool timedOut, TimeSpan timeoutAfter)
    {
        var where = $"{endpoint.Authority}{endpoint.AbsolutePath}";
        return status switch
        {
            401 => new PulsarException($"Pulsar refused the session at {where}: 401 Unauthorized (check Pulsar__Token).", isTransient: false, status, e),
            403 => new PulsarException($"Pulsar refused the session at {where}: 403 Forbidden (the token's role may not use this topic).", isTransient: false, status, e),
            400 or 404 => new PulsarException($"Pulsar refused the session at {where}: {status} (invalid topic or query parameters).", isTransient: false, status, e),
            409 => new PulsarException($"Pulsar refused the session at {where}: 409 Conflict (the producer name is still held by an earlier session).", isTransient: true, status, e),
            > 0 => new PulsarException($"Pulsar refused the session at {where}: HTTP {status}.", isTransient: true, status, e),
            _ when timedOut => new PulsarException($"Pulsar at {endpoint.Authority} did not open a session within {timeoutAfter.TotalSeconds:0.###} s (Pulsar__ConnectTimeout).", isTransient: true, null, e),
            _ => new PulsarException($"Pulsar at {endpoint.Authority} is not reachable: {e.Message}", isTransient: true, null, e),
        };
    }
}
