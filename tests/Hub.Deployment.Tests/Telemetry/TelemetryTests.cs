using System.Diagnostics.Metrics;
using System.Net;
using IntegrationHub.Functions.Hosting;
using IntegrationHub.Functions.Hosting.Telemetry;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Deployment.Tests.Telemetry;

/// <summary>
/// Application Insights export is switched on by <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> alone: without
/// it the hub registers nothing (no channel, listener or timer); with it, requests, outgoing calls, logs and
/// <c>IntegrationHub.*</c> metrics are sent. A capturing channel replaces the network.
/// </summary>
public sealed class TelemetryTests
{
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:9/";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Without_a_connection_string_nothing_is_registered(string? connectionString)
    {
        var baseline = Registrations(new Dictionary<string, string?>());
        var services = Registrations(new Dictionary<string, string?> { [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = connectionString });

        Assert.Equal(baseline.Count, services.Count);
        Assert.DoesNotContain(services, IsTelemetry);
    }

    [Fact]
    public void With_a_connection_string_the_exporter_is_registered_with_it()
    {
        var services = Registrations(new Dictionary<string, string?> { [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = ConnectionString });
        Assert.Contains(services, d => d.ServiceType == typeof(TelemetryClient));
        Assert.Contains(services, d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType?.Name == "ApplicationInsightsLoggerProvider");
        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "TelemetryLifetime");
        Assert.Contains(services, d => d.ServiceType == typeof(IStartupFilter) && d.ImplementationType?.Name == "RequestTelemetryStartupFilter");

        using var provider = services.BuildServiceProvider();
        var configuration = provider.GetRequiredService<IOptions<TelemetryConfiguration>>().Value;
        Assert.Equal(ConnectionString, configuration.ConnectionString);
        Assert.Equal("00000000-0000-0000-0000-000000000001", configuration.InstrumentationKey);
    }

    [Fact]
    public async Task Hub_meters_reach_Application_Insights_and_other_meters_do_not()
    {
        var channel = new CapturingChannel();
        var services = Registrations(new Dictionary<string, string?> { [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = ConnectionString });
        services.Configure<TelemetryConfiguration>(c => c.TelemetryChannel = channel);
        await using var provider = services.BuildServiceProvider();

        // The hosted service the hub registers starts the bridge, and flushes on stop (what the host does at scale-in).
        var lifetimeType = Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "TelemetryLifetime").ImplementationType!;
        var lifetime = (IHostedService)ActivatorUtilities.CreateInstance(provider, lifetimeType);
        await lifetime.StartAsync(CancellationToken.None);

        var hubMeterName = "IntegrationHub.DeploymentTests." + Guid.NewGuid().ToString("N")[..8];
        using var hubMeter = new Meter(hubMeterName);
        using var otherMeter = new Meter("Other.DeploymentTests");
        var polls = hubMeter.CreateCounter<long>("hub.polls");
        polls.Add(2, new KeyValuePair<string, object?>("connector", "github"));
        polls.Add(3, new KeyValuePair<string, object?>("connector", "github"));
        polls.Add(4, new KeyValuePair<string, object?>("connector", "jira"));
        hubMeter.CreateHistogram<double>("hub.poll.duration", "s").Record(0.25);
        hubMeter.CreateObservableGauge("hub.queue.depth", () => 17);
        otherMeter.CreateCounter<long>("other.calls").Add(7);

        await lifetime.StopAsync(CancellationToken.None);

        var metrics = channel.Items.OfType<MetricTelemetry>().Where(m => m.MetricNamespace == hubMeterName).ToList();
        var github = Assert.Single(metrics, m => m.Name == "hub.polls" && m.Properties.TryGetValue("connector", out var c) && c == "github");
        Assert.Equal(5, github.Sum);
        Assert.Equal(2, github.Count);
        Assert.Equal(4, Assert.Single(metrics, m => m.Name == "hub.polls" && m.Properties["connector"] == "jira").Sum);
        Assert.Equal(0.25, Assert.Single(metrics, m => m.Name == "hub.poll.duration").Sum);
        Assert.Equal(17, Assert.Single(metrics, m => m.Name == "hub.queue.depth").Max);
        Assert.DoesNotContain(channel.Items.OfType<MetricTelemetry>(), m => m.Name == "other.calls");
    }

    [Fact]
    public async Task The_running_hub_sends_requests_dependencies_and_logs()
    {
        var channel = new CapturingChannel();
        var emulator = await SharedCosmosEmulator.GetAsync();
        var settings = emulator.Settings(SharedCosmosEmulator.NewDatabaseName("tel"));
        settings["Hosting:Urls"] = "http://127.0.0.1:0";
        settings["Hosting:RunTimers"] = "false";
        settings["Hosting:LocalSettingsPath"] = "none";
        settings["Auth:AdminKey"] = "telemetry-admin-key-0123456789abcdef";
        settings["environment"] = "Development";
        settings[TelemetryServiceCollectionExtensions.ConnectionStringSetting] = ConnectionString;
        var args = settings.Select(p => $"--{p.Key}={p.Value}").ToArray();

        await using var app = HubApplication.Build(args, builder => builder.Services.Configure<TelemetryConfiguration>(c => c.TelemetryChannel = channel));
        await app.StartAsync();
        try
        {
            await app.Services.GetRequiredService<IntegrationHub.Shared.Cosmos.HubCosmos>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/") };
            using var health = await http.GetAsync(new Uri("api/health?probe=secret-looking", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            await app.StopAsync();
        }

        var requests = channel.Items.OfType<RequestTelemetry>().ToList();
        var request = Assert.Single(requests, r => r.Name == "GET /api/health");
        Assert.Equal("200", request.ResponseCode);
        Assert.True(request.Success);
        Assert.DoesNotContain("secret-looking", request.Url.ToString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(request.Context.Operation.Id));

        // Cosmos DB's gateway calls are HTTP dependencies; none to the ingestion endpoint.
        var dependencies = channel.Items.OfType<DependencyTelemetry>().ToList();
        Assert.Contains(dependencies, d => d.Type == "Http" && d.Target == $"127.0.0.1:{emulator.Port}");
        Assert.DoesNotContain(dependencies, d => d.Target.EndsWith(":9", StringComparison.Ordinal));

        // The hub's own Information logs are kept (the provider's default floor is Warning).
        Assert.Contains(channel.Items.OfType<TraceTelemetry>(), t => t.Message.StartsWith("IntegrationHub listening on", StringComparison.Ordinal));
        Assert.All(channel.Items, i => Assert.False(string.IsNullOrEmpty(i.Context.Cloud.RoleName)));
    }

    private static ServiceCollection Registrations(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddHub(configuration);
        return services;
    }

    private static bool IsTelemetry(ServiceDescriptor d) =>
        (d.ServiceType.Namespace?.StartsWith("Microsoft.ApplicationInsights", StringComparison.Ordinal) ?? false)
        || (d.ImplementationType?.Namespace?.StartsWith("Microsoft.ApplicationInsights", StringComparison.Ordinal) ?? false)
        || (d.ImplementationType?.Namespace?.StartsWith("Microsoft.Extensions.Logging.ApplicationInsights", StringComparison.Ordinal) ?? false)
        || d.ServiceType.Namespace == typeof(MeterTelemetryBridge).Namespace
        || d.ImplementationType?.Namespace == typeof(MeterTelemetryBridge).Namespace
        || (d.ServiceType.IsGenericType && d.ServiceType.GetGenericArguments().Any(a => a == typeof(TelemetryConfiguration)));
}
