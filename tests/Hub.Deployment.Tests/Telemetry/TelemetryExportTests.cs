using System.Diagnostics.Metrics;
using IntegrationHub.Deployment.Tests.Support;
using IntegrationHub.Functions.Hosting;
using IntegrationHub.Functions.Hosting.Telemetry;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace IntegrationHub.Deployment.Tests.Telemetry;

/// <summary>
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> alone switches the worker's OpenTelemetry export on. With a
/// connection string whose IngestionEndpoint is a loopback WireMock.Net stand-in (<see cref="IngestionEndpoint"/>), a hub built with
/// <see cref="HubServiceCollectionExtensions.AddHub(IServiceCollection, IConfiguration)"/> posts its logs,
/// its <c>IntegrationHub.*</c> metrics (and no other meter's) and its outgoing-call traces to
/// <c>{IngestionEndpoint}/v2.1/track</c>, as Application Insights envelopes. Without one, no OpenTelemetry
/// provider exists at all.
/// </summary>
public sealed class TelemetryExportTests : IAsyncLifetime
{
    private static readonly Action<ILogger, string, Exception?> InformationProbe =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(1, "TelemetryProbe"), "telemetry probe {Marker}");

    private static readonly Action<ILogger, string, Exception?> WarningProbe =
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(2, "TelemetryWarning"), "telemetry warning {Marker}");

    private IngestionEndpoint _ingestion = null!;

    public async Task InitializeAsync()
    {
        // The exporter's own usage reports (statsbeat) go to a fixed Microsoft endpoint: not from tests.
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
        _ingestion = await IngestionEndpoint.StartAsync();
    }

    public async Task DisposeAsync() => await _ingestion.DisposeAsync();

    private string ConnectionString => $"InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint={_ingestion.Url}/";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Without_a_connection_string_no_OpenTelemetry_provider_is_registered(string? connectionString)
    {
        var baseline = Hub(new Dictionary<string, string?>());
        var services = Hub(new Dictionary<string, string?> { [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = connectionString });
        Assert.Equal(baseline.Count, services.Count);
        Assert.DoesNotContain(services, IsOpenTelemetry);

        using var provider = services.BuildServiceProvider();
        Assert.Null(provider.GetService<TracerProvider>());
        Assert.Null(provider.GetService<MeterProvider>());
        Assert.Null(provider.GetService<LoggerProvider>());
        Assert.DoesNotContain(provider.GetServices<ILoggerProvider>(), p => p.GetType().Assembly.GetName().Name!.StartsWith("OpenTelemetry", StringComparison.Ordinal));

        // The Prometheus scrape source is there either way.
        Assert.NotNull(provider.GetService<PrometheusMetrics>());
    }

    [Fact]
    public void With_a_connection_string_the_providers_are_registered()
    {
        var services = Hub(new Dictionary<string, string?> { [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = ConnectionString });
        Assert.Contains(services, IsOpenTelemetry);
        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetService<TracerProvider>());
        Assert.NotNull(provider.GetService<MeterProvider>());
        Assert.NotNull(provider.GetService<LoggerProvider>());
    }

    [Fact]
    public async Task With_a_connection_string_logs_hub_metrics_and_traces_are_posted_to_the_ingestion_endpoint()
    {
        var marker = Guid.NewGuid().ToString("N");

        // Envelopes are newline-delimited JSON: {"name":"Message",...,"data":{"baseType":"MessageData","baseData":{...}}}.
        // Log records carry the message template and its values as properties; a counter its sum over the interval.
        var hubLog = $"\"properties\":{{\"Marker\":\"{marker}\",\"CategoryName\":\"IntegrationHub.DeploymentTests\"";
        var otherWarning = $"\"Marker\":\"warning-{marker}\",\"CategoryName\":\"Other.DeploymentTests\"";
        var hubMetric = $"\"metrics\":[{{\"name\":\"hub_probe_{marker[..8]}\",\"value\":3}}]";
        bool Complete(string text) =>
            text.Contains(hubLog, StringComparison.Ordinal) && text.Contains(otherWarning, StringComparison.Ordinal)
            && text.Contains(hubMetric, StringComparison.Ordinal)
            && text.Contains("\"baseType\":\"RemoteDependencyData\"", StringComparison.Ordinal) && text.Contains($"\"name\":\"GET /probe/{marker}\"", StringComparison.Ordinal);

        var services = Hub(new Dictionary<string, string?> { [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = ConnectionString });
        await using (var provider = services.BuildServiceProvider())
        {
            var tracing = provider.GetRequiredService<TracerProvider>();
            var metrics = provider.GetRequiredService<MeterProvider>();
            var logging = provider.GetRequiredService<LoggerProvider>();

            // A log line, a counter on a hub meter and one on another meter, and an outgoing HTTP call; then every
            // exporter is flushed (they batch; metrics every 60 s by default). Up to three rounds: on a loaded machine
            // an export can come back without a span that ended while it was being taken.
            using var hubMeter = new Meter("IntegrationHub.DeploymentTests." + marker[..8]);
            using var otherMeter = new Meter("Other.DeploymentTests." + marker[..8]);
            var hubCounter = hubMeter.CreateCounter<long>("hub_probe_" + marker[..8]);
            var otherCounter = otherMeter.CreateCounter<long>("other_probe_" + marker[..8]);
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            for (var round = 0; round < 3 && !Complete(string.Join("\n", _ingestion.TrackBodies)); round++)
            {
                // Logs: the hub's categories from Information, the others from Warning.
                InformationProbe(loggers.CreateLogger("IntegrationHub.DeploymentTests"), marker, null);
                InformationProbe(loggers.CreateLogger("System.Net.Http.HttpClient.DeploymentTests"), "chatter-" + marker, null);
                WarningProbe(loggers.CreateLogger("Other.DeploymentTests"), "warning-" + marker, null);
                hubCounter.Add(3);
                otherCounter.Add(7);
                using (var http = new HttpClient())
                {
                    using var response = await http.GetAsync(new Uri($"{_ingestion.Url}/probe/{marker}"));
                    Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
                }

                Assert.True(tracing.ForceFlush(15_000), "traces were not flushed");
                Assert.True(metrics.ForceFlush(15_000), "metrics were not flushed");
                Assert.True(logging.ForceFlush(15_000), "logs were not flushed");
                for (var wait = 0; wait < 25 && !Complete(string.Join("\n", _ingestion.TrackBodies)); wait++)
                {
                    await Task.Delay(200);
                }
            }
        }

        var posted = await EventuallyPostedAsync(Complete);

        Assert.Contains("\"message\":\"telemetry probe {Marker}\"", posted, StringComparison.Ordinal);
        Assert.DoesNotContain("chatter-" + marker, posted, StringComparison.Ordinal);
        Assert.Contains("00000000-0000-0000-0000-000000000001", posted, StringComparison.Ordinal);
        Assert.DoesNotContain("other_probe_" + marker[..8], posted, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_the_exporter_cannot_parse_fails_when_the_providers_are_built()
    {
        var services = Hub(new Dictionary<string, string?> { [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = "this is not a connection string" });
        using var provider = services.BuildServiceProvider();
        Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<TracerProvider>());
    }

    /// <summary>The hub's registrations as Program.cs makes them (AddHub), with the given app settings.</summary>
    private static ServiceCollection Hub(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddHub(configuration);
        return services;
    }

    private static bool IsOpenTelemetry(ServiceDescriptor descriptor)
    {
        static bool FromOpenTelemetry(Type? type) => type?.Assembly.GetName().Name is { } name
            && (name.StartsWith("OpenTelemetry", StringComparison.Ordinal) || name.StartsWith("Azure.Monitor", StringComparison.Ordinal) || name.Contains(".OpenTelemetry", StringComparison.Ordinal));

        return FromOpenTelemetry(descriptor.ServiceType)
            || FromOpenTelemetry(descriptor.IsKeyedService ? descriptor.KeyedImplementationType : descriptor.ImplementationType)
            || FromOpenTelemetry(descriptor.IsKeyedService ? descriptor.KeyedImplementationInstance?.GetType() : descriptor.ImplementationInstance?.GetType());
    }

    /// <summary>Every body posted to /v2.1/track so far, once <paramref name="complete"/> holds (at most 30 s).</summary>
    private async Task<string> EventuallyPostedAsync(Func<string, bool> complete)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var text = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            text = string.Join("\n", _ingestion.TrackBodies);
            if (complete(text))
            {
                return text;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"The ingestion endpoint did not receive the log, the hub metric and the dependency within 30 s. Requests: {string.Join(", ", _ingestion.Requests)}. Received:\n{text}");
        return text;
    }
}
