using System.Collections.Concurrent;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Deployment.Tests.Support;

/// <summary>
/// A loopback stand-in for the Application Insights ingestion endpoint: a tiny Kestrel app that answers
/// <c>POST /v2.1/track</c> the way the service does (<c>200 {"itemsReceived":n,"itemsAccepted":n,"errors":[]}</c>)
/// and keeps every body (gzip decoded), plus <c>GET /probe/{anything}</c> = 204 as a target for outgoing calls.
/// </summary>
/// <remarks>
/// Kestrel rather than WireMock.Net: WireMock 1.25's Handlebars helpers pin Humanizer 2.14.1, which conflicts
/// with the Humanizer.Core 3.x that JsonSchema.Net's JsonPointer.Net brings into the hub (NU1608).
/// </remarks>
public sealed class IngestionEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _bodies = new();
    private readonly ConcurrentQueue<string> _requests = new();

    private IngestionEndpoint(WebApplication app) => _app = app;

    /// <summary>The base address, <c>http://127.0.0.1:{port}</c> (no trailing slash).</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>Every <c>/v2.1/track</c> body received so far (newline-delimited JSON envelopes), in arrival order.</summary>
    public IReadOnlyList<string> TrackBodies => [.. _bodies];

    /// <summary>Every request as <c>METHOD path -> status</c>, for failure messages.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Starts on a free loopback port.</summary>
    public static async Task<IngestionEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new IngestionEndpoint(app);

        app.MapPost("/v2.1/track", async (HttpRequest request) =>
        {
            Stream body = request.Body;
            if (string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
            {
                body = new GZipStream(request.Body, CompressionMode.Decompress);
            }

            using var reader = new StreamReader(body);
            var text = await reader.ReadToEndAsync();
            endpoint._bodies.Enqueue(text);
            endpoint._requests.Enqueue("POST /v2.1/track -> 200");
            var items = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            return Results.Json(new { itemsReceived = items, itemsAccepted = items, errors = Array.Empty<object>() });
        });
        app.MapGet("/probe/{id}", (string id) =>
        {
            endpoint._requests.Enqueue($"GET /probe/{id} -> 204");
            return Results.NoContent();
        });

        await app.StartAsync();
        endpoint.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return endpoint;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
