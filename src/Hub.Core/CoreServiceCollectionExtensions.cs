using IntegrationHub.Core.Credentials;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Runs;
using IntegrationHub.Core.Runs.Steps;
using IntegrationHub.Shared.Configuration;
using IntegrationHub.Shared.Events;
using IntegrationHub.Core.Idempotency;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Tenants;
using IntegrationHub.Core.Webhooks;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IntegrationHub.Core;

/// <summary>Registers the hub's domain stores and the Cosmos containers they own.</summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>Adds tenants, idempotency records, credentials and integrations (stores and the services the API and run engine share). Needs <c>AddHubSecrets()</c> and <c>AddConnectors()</c> from the host.</summary>
    public static IServiceCollection AddHubCore(this IServiceCollection services)
    {
        services.AddCosmosContainer(TenantStore.Container);
        services.AddCosmosContainer(IdempotencyStore.Container);
        services.AddCosmosContainer(CredentialStore.Container);
        services.AddCosmosContainer(IntegrationStore.Container);
        services.TryAddSingleton<TenantStore>();
        services.TryAddSingleton<TenantService>();
        services.TryAddSingleton<IdempotencyStore>();
        services.TryAddSingleton<CredentialStore>();
        services.TryAddSingleton<IntegrationStore>();
        services.TryAddSingleton<IntegrationConnections>();
        services.TryAddSingleton<CredentialService>();
        services.TryAddSingleton<IntegrationService>();
        services.TryAddSingleton<IntegrationPreview>();
        services.AddHubRuns();
        services.AddHubWebhooks();
        return services;
    }

    /// <summary>Registers a flow step type (the n8n, Spark and Pulsar features add theirs this way).</summary>
    public static IServiceCollection AddStepType<TStepType>(this IServiceCollection services)
        where TStepType : class, IStepType
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepType, TStepType>());
        return services;
    }

    private static IServiceCollection AddHubWebhooks(this IServiceCollection services)
    {
        services.AddHubOptions<WebhookOptions>(WebhookOptions.Section);
        services.AddCosmosContainer(WebhookDeliveryStore.Container);
        services.TryAddSingleton<WebhookDeliveryStore>();
        services.TryAddSingleton<WebhookMetrics>();
        services.TryAddSingleton<WebhookSecrets>();
        services.TryAddSingleton<WebhookIntake>();
        services.TryAddSingleton<WebhookPublisher>();
        services.TryAddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }

    private static IServiceCollection AddHubRuns(this IServiceCollection services)
    {
        services.AddHubOptions<RunsOptions>(RunsOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        foreach (var container in new[] { FlowStore.Container, RunStore.Container, OutboxStore.Container, RecordMemory.Container, CosmosEventLog.Container, DeadLetterStore.Container })
        {
            services.AddCosmosContainer(container);
        }

        services.TryAddSingleton<FlowStore>();
        services.TryAddSingleton<FlowService>();
        services.TryAddSingleton<RunStore>();
        services.TryAddSingleton<OutboxStore>();
        services.TryAddSingleton<RecordMemory>();
        services.TryAddSingleton<CosmosEventLog>();
        services.TryAddSingleton<IEventSink>(sp => sp.GetRequiredService<CosmosEventLog>());
        services.TryAddSingleton<DeadLetterStore>();
        services.TryAddSingleton<DeadLetterService>();
        services.TryAddSingleton<RunMetrics>();
        services.TryAddSingleton<StepTypeRegistry>();
        services.AddStepType<ReadStepType>();
        services.AddStepType<TransformStepType>();
        services.AddStepType<PublishStepType>();
        services.AddStepType<ActionStepType>();
        services.TryAddSingleton<RunEndSignals>();
        services.TryAddSingleton<IRunSteps, RunSteps>();
        services.TryAddSingleton<RunLauncher>();
        services.TryAddSingleton<RunService>();
        services.TryAddSingleton<SyncScheduler>();
        return services;
    }
}
