using System.Text.Json;
using IntegrationHub.Pulsar.Commands;
using IntegrationHub.Shared.Diagnostics;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles.Pulsar;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Pulsar.Tests;

/// <summary>The hub's real Pulsar services (built by <c>AddHubPulsar</c>) pointed at a <see cref="PulsarWebSocketDouble"/> on a real socket.</summary>
internal sealed class PulsarHarness : IAsyncDisposable
{
    private PulsarHarness(PulsarWebSocketDouble pulsar, ServiceProvider services)
    {
        Pulsar = pulsar;
        Services = services;
    }

    public PulsarWebSocketDouble Pulsar { get; }

    public ServiceProvider Services { get; }

    public IEventSink Sink => Services.GetRequiredService<IEventSink>();

    public CommandDrainer Drainer => Services.GetRequiredService<CommandDrainer>();

    public PulsarOptions Options => Services.GetRequiredService<IOptions<PulsarOptions>>().Value;

    public IDependencyProbe Probe => Services.GetServices<IDependencyProbe>().Single(p => p.Name == "pulsar");

    public static async Task<PulsarHarness> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var pulsar = new PulsarWebSocketDouble();
        await pulsar.StartAsync();
        return new PulsarHarness(pulsar, Build(pulsar.ServiceUrl, settings));
    }

    /// <summary>The services of a second app instance on the same broker (a restart after a crash).</summary>
    public ServiceProvider NewInstance(Dictionary<string, string?>? settings = null) => Build(Pulsar.ServiceUrl, settings);

    public static ServiceProvider Build(string serviceUrl, Dictionary<string, string?>? settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Pulsar:ServiceUrl"] = serviceUrl,
            ["Pulsar:ReconnectInitialDelay"] = "00:00:00.020",
            ["Pulsar:ReconnectMaxDelay"] = "00:00:00.200",
            ["Pulsar:SendTimeout"] = "00:00:10",
            ["Pulsar:MaxPendingMessages"] = "16",
            ["Pulsar:CommandsRetryDelay"] = "00:00:00.020",
            ["Pulsar:CommandsIdleWait"] = "00:00:00.500",
            ["Pulsar:MaxCommandAttempts"] = "3",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddHubPulsar(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static string Topic(string local) => $"persistent://public/default/{local}";

    /// <summary>Events of one stream with sequence ids <paramref name="first"/>.., keyed round-robin over <paramref name="keys"/> keys.</summary>
    public static EventBatch Batch(string topic, string producer, long first, int count, int keys = 3)
    {
        var events = new List<OutboundEvent>();
        for (var i = 0; i < count; i++)
        {
            var sequence = first + i;
            var record = $"rec-{sequence}";
            var cloudEvent = new CloudEvent
            {
                Id = EventIds.For("int-1", "issues", record, "v1"),
                Source = "/tenants/acme/integrations/int-1/streams/issues",
                Type = "com.integrationhub.github.issues.upserted",
                Subject = record,
                Time = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(sequence),
                TenantId = "acme",
                IntegrationId = "int-1",
                RunId = "run-1",
                Data = JsonSerializer.SerializeToElement(new { number = sequence, title = $"Issue {sequence}" }),
            };
            events.Add(new OutboundEvent(sequence, $"key-{sequence % keys}", cloudEvent, new Dictionary<string, string> { ["stream"] = "issues" }));
        }

        return new EventBatch(topic, producer, events);
    }

    /// <summary>Disposes the app's services (closing producer sessions) and the double.</summary>
    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Pulsar.DisposeAsync();
    }
}
