using System.Collections.Concurrent;
using System.Text.Json;
using IntegrationHub.TestDoubles.Cosmos;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace IntegrationHub.Deployment.Tests.Support;

/// <summary>
/// A loopback stand-in for the Application Insights ingestion endpoint on WireMock.Net: answers
/// <c>POST /v2.1/track</c> the way the service does (<c>200 {"itemsReceived":n,"itemsAccepted":n,"errors":[]}</c>)
/// and keeps every body (WireMock decodes the gzip the exporter sends), plus <c>GET /probe/{anything}</c> = 204 as a
/// target for outgoing calls.
/// </summary>
public sealed class IngestionEndpoint : IAsyncDisposable
{
    private readonly WireMockServer _server;
    private readonly ConcurrentQueue<string> _bodies = new();
    private readonly ConcurrentQueue<string> _requests = new();

    private IngestionEndpoint(WireMockServer server)
    {
        _server = server;
        Url = $"http://127.0.0.1:{server.Port}";
    }

    /// <summary>The base address, <c>http://127.0.0.1:{port}</c> (no trailing slash).</summary>
    public string Url { get; }

    /// <summary>Every <c>/v2.1/track</c> body received so far (newline-delimited JSON envelopes), in arrival order.</summary>
    public IReadOnlyList<string> TrackBodies => [.. _bodies];

    /// <summary>Every request as <c>METHOD path -> status</c>, for failure messages.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Starts on a free loopback port.</summary>
    public static Task<IngestionEndpoint> StartAsync()
    {
        var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{CosmosEmulator.FreePort()}"], DisableJsonBodyParsing = true });
        var endpoint = new IngestionEndpoint(server);
        server.Given(Request.Create().WithPath("/v2.1/track").UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            var text = request.Body ?? string.Empty;
            endpoint._bodies.Enqueue(text);
            endpoint._requests.Enqueue("POST /v2.1/track -> 200");
            var items = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            var response = new WireMock.ResponseMessage
            {
                StatusCode = 200,
                BodyData = new WireMock.Util.BodyData
                {
                    BodyAsString = JsonSerializer.Serialize(new { itemsReceived = items, itemsAccepted = items, errors = Array.Empty<object>() }),
                    DetectedBodyType = WireMock.Types.BodyType.String,
                },
            };
            response.AddHeader("Content-Type", "application/json; charset=utf-8");
            return response;
        }));
        server.Given(Request.Create().WithPath("/probe/*").UsingGet()).RespondWith(Response.Create().WithCallback(request =>
        {
            endpoint._requests.Enqueue($"GET {request.Path} -> 204");
            return new WireMock.ResponseMessage { StatusCode = 204 };
        }));
        return Task.FromResult(endpoint);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _server.Stop();
        _server.Dispose();
        return ValueTask.CompletedTask;
    }
}
