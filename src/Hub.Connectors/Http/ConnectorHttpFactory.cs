using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Connectors.Http;

/// <summary>
/// Creates <see cref="ConnectorHttp"/> clients. One <see cref="SocketsHttpHandler"/> (pooled connections, no
/// proxy, every connection through the <see cref="DestinationGuard"/>) serves all connectors; retry state,
/// circuit breaker and pacing bucket are kept per (connector, credential).
/// </summary>
public sealed class ConnectorHttpFactory : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly HttpClient _client;
    private readonly ConcurrentDictionary<(string Connector, string Connection), Lazy<ConnectionResources>> _connections = new();
    private readonly ConnectorMetrics _metrics;
    private readonly ConnectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ConnectorHttpFactory(DestinationGuard guard, ConnectorMetrics metrics, IOptions<ConnectorOptions> options, TimeProvider time, ILogger<ConnectorHttpFactory> logger)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _handler = new SocketsHttpHandler
        {
            // A proxy would make the guard check the proxy's address instead of the destination's.
            UseProxy = false,
            ConnectCallback = guard.ConnectAsync,
            ConnectTimeout = _options.Http.ConnectTimeout,
            // ConnectorHttp follows redirects itself, so a hop to another origin never carries a credential header
            // (the handler strips only Authorization across origins).
            AllowAutoRedirect = false,

            // No shared cookie jar: one connection's cookies must never reach another tenant's request or another origin.
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        _client = new HttpClient(_handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>A client for one operation of <paramref name="descriptor"/>'s connector, for <paramref name="context"/>'s connection.</summary>
    public ConnectorHttp Create(ConnectorDescriptor descriptor, ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(context);
        var connection = _connections.GetOrAdd(
            (descriptor.Id, context.ConnectionKey),
            _ => new Lazy<ConnectionResources>(() => new ConnectionResources(descriptor, _options, _time, _logger))).Value;
        return new ConnectorHttp(_client, connection, descriptor, context, _metrics, _options, _time, _logger);
    }

    public void Dispose()
    {
        _client.Dispose();
        _handler.Dispose();
        foreach (var connection in _connections.Values.Where(c => c.IsValueCreated))
        {
            connection.Value.Dispose();
        }
    }
}
