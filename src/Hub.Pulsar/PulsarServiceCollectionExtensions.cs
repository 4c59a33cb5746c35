using IntegrationHub.Pulsar.Commands;
using IntegrationHub.Pulsar.Diagnostics;
using IntegrationHub.Pulsar.Events;
using IntegrationHub.Pulsar.Producer;
using IntegrationHub.Shared.Configuration;
using IntegrationHub.Shared.Diagnostics;
using IntegrationHub.Shared.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IntegrationHub.Pulsar;

/// <summary>Registers the Pulsar client.</summary>
public static class PulsarServiceCollectionExtensions
{
    /// <summary>
    /// Always: <see cref="PulsarOptions"/> (section <c>Pulsar</c>, validated at start), the probe, metrics, the producer
    /// pool and the <see cref="CommandDrainer"/>. When <c>Pulsar:ServiceUrl</c> is set in <paramref name="configuration"/>
    /// (or, without it, in the <see cref="IConfiguration"/> instance already registered, as a WebApplicationBuilder does):
    /// <see cref="PulsarEventSink"/> as <see cref="IEventSink"/>, added plainly so it wins over a default sink added with TryAdd.
    /// </summary>
    public static IServiceCollection AddHubPulsar(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddHubOptions<PulsarOptions>(PulsarOptions.Section);
        services.AddHttpClient(PulsarProbe.HttpClientName).RemoveAllLoggers(); // its requests carry a token: no header logging at any level
        services.TryAddSingleton<PulsarMetrics>();
        services.TryAddSingleton<PulsarProducerPool>();
        services.TryAddSingleton<CommandDrainer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDependencyProbe, PulsarProbe>());

        configuration ??= services.LastOrDefault(d => d.ServiceType == typeof(IConfiguration))?.ImplementationInstance as IConfiguration;
        var serviceUrl = configuration?[$"{PulsarOptions.Section}:{nameof(PulsarOptions.ServiceUrl)}"];
        if (!string.IsNullOrWhiteSpace(serviceUrl))
        {
            services.AddSingleton<IEventSink, PulsarEventSink>();
        }

        return services;
    }
}
