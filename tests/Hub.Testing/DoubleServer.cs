using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.TestDoubles;

/// <summary>
/// Base of the hand-written protocol doubles, kept only where WireMock.Net cannot serve (see <see cref="WireMockDouble"/>
/// for the others): Pulsar's WebSocket API and Vault's check-and-set KV, each saying why in its header. A real Kestrel
/// server on a free loopback port, so the hub's real clients talk to it over real sockets.
/// </summary>
public abstract class DoubleServer : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The double's base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Every request the double received, in order: method, path and query, and headers (for auth-shape assertions).</summary>
    public List<RecordedRequest> Requests { get; } = [];

    /// <summary>Starts the server.</summary>
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRouting();
        ConfigureServices(builder.Services);
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Use(async (context, next) =>
        {
            lock (Requests)
            {
                Requests.Add(new RecordedRequest(
                    context.Request.Method,
                    context.Request.Path + context.Request.QueryString,
                    context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            }

            await next(context);
        });
        Map(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>Maps the API's endpoints.</summary>
    protected abstract void Map(WebApplication app);

    /// <summary>Adds services the endpoints need.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>A request a double received.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers);
