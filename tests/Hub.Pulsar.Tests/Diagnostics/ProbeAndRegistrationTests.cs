using IntegrationHub.Pulsar.Events;
using IntegrationHub.Shared.Diagnostics;
using IntegrationHub.Shared.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Pulsar.Tests.Diagnostics;

public sealed class ProbeAndRegistrationTests
{
    [Fact]
    public async Task Probe_reports_reachable_while_the_service_answers_and_unreachable_when_it_is_down()
    {
        await using var hub = await PulsarHarness.StartAsync();

        var up = await hub.Probe.ProbeAsync(CancellationToken.None);
        hub.Pulsar.GoDown();
        var down = await hub.Probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(DependencyStatus.Reachable, up.Status);
        Assert.False(up.Required);
        Assert.Equal(DependencyStatus.Unreachable, down.Status);
        Assert.Contains("503", down.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_reports_unreachable_when_nothing_listens()
    {
        var pulsar = new TestDoubles.Pulsar.PulsarWebSocketDouble();
        await pulsar.StartAsync();
        var url = pulsar.ServiceUrl;
        await pulsar.DisposeAsync();
        await using var services = PulsarHarness.Build(url, null);

        var state = await services.GetServices<IDependencyProbe>().Single(p => p.Name == "pulsar").ProbeAsync(CancellationToken.None);

        Assert.Equal(DependencyStatus.Unreachable, state.Status);
    }

    [Fact]
    public async Task Without_a_service_url_pulsar_is_not_configured_and_no_sink_is_registered()
    {
        await using var services = PulsarHarness.Build("", null);

        var state = await services.GetServices<IDependencyProbe>().Single(p => p.Name == "pulsar").ProbeAsync(CancellationToken.None);

        Assert.Equal(DependencyStatus.NotConfigured, state.Status);
        Assert.Null(services.GetService<IEventSink>());
    }

    [Fact]
    public async Task With_a_service_url_the_pulsar_sink_wins_over_a_default_sink_added_with_TryAdd()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Pulsar:ServiceUrl"] = "ws://127.0.0.1:1" }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddHubPulsar();
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<IEventSink, DefaultSink>(services);
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<PulsarEventSink>(provider.GetRequiredService<IEventSink>());
    }

    [Theory]
    [InlineData("http//nope", "Pulsar:Tenant", "public", "Pulsar__ServiceUrl")]
    [InlineData("ftp://pulsar:8080", "Pulsar:Tenant", "public", "Pulsar__ServiceUrl")]
    [InlineData("ws://pulsar:8080", "Pulsar:MaxPendingMessages", "0", "Pulsar__MaxPendingMessages")]
    [InlineData("ws://pulsar:8080", "Pulsar:Tenant", "a/b", "Pulsar__Tenant")]
    public void Invalid_settings_are_reported_with_their_app_setting_names(string serviceUrl, string key, string value, string named)
    {
        using var services = PulsarHarness.Build(serviceUrl, new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PulsarOptions>>().Value);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    private sealed class DefaultSink : IEventSink
    {
        public string Name => "default";

        public Task PublishAsync(EventBatch batch, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
