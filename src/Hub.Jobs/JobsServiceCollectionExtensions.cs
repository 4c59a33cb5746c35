using IntegrationHub.Core;
using IntegrationHub.Jobs.Diagnostics;
using IntegrationHub.Jobs.Livy;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Jobs.N8n;
using IntegrationHub.Jobs.Steps;
using IntegrationHub.Shared.Configuration;
using IntegrationHub.Shared.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IntegrationHub.Jobs;

/// <summary>Registers the job engines: options, HTTP clients, the n8n and Livy clients and engines, probes and metrics.</summary>
public static class JobsServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> the n8n client uses (for adding handlers).</summary>
    public const string N8nHttpClient = "IntegrationHub.Jobs.N8n";

    /// <summary>The name of the <see cref="HttpClient"/> the Livy client uses (for adding handlers).</summary>
    public const string LivyHttpClient = "IntegrationHub.Jobs.Livy";

    /// <summary>
    /// Adds <see cref="N8nClient"/>, <see cref="N8nWorkflowJobs"/>, <see cref="LivyClient"/>, <see cref="SparkBatchJobs"/>
    /// (both engines also as <see cref="IJobEngine"/>), their options (sections <c>N8n</c> and <c>Livy</c>, validated at
    /// start-up), the <c>n8n</c> and <c>livy</c> health probes, the <c>IntegrationHub.Jobs</c> meter and the <c>n8n</c> and
    /// <c>spark</c> flow step types (<see cref="N8nStepType"/>, <see cref="SparkStepType"/>). Every
    /// registration is a TryAdd, so a test or host can replace any of them first.
    /// </summary>
    public static IServiceCollection AddHubJobs(this IServiceCollection services)
    {
        services.AddHubOptions<N8nOptions>(N8nOptions.Section);
        services.AddHubOptions<LivyOptions>(LivyOptions.Section);
        services.AddLogging();
        services.AddMetrics();
        services.AddHttpClient(N8nHttpClient).RemoveAllLoggers(); // its requests carry a token: no header logging at any level
        services.AddHttpClient(LivyHttpClient).RemoveAllLoggers(); // its requests carry a token: no header logging at any level

        services.TryAddSingleton<JobMetrics>();
        services.TryAddTransient(sp => ActivatorUtilities.CreateInstance<N8nClient>(sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient(N8nHttpClient)));
        services.TryAddTransient(sp => ActivatorUtilities.CreateInstance<LivyClient>(sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient(LivyHttpClient)));
        services.TryAddTransient<N8nWorkflowJobs>();
        services.TryAddTransient<SparkBatchJobs>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IJobEngine, N8nWorkflowJobs>(sp => sp.GetRequiredService<N8nWorkflowJobs>()));
        services.TryAddEnumerable(ServiceDescriptor.Transient<IJobEngine, SparkBatchJobs>(sp => sp.GetRequiredService<SparkBatchJobs>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDependencyProbe, N8nProbe>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDependencyProbe, LivyProbe>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddStepType<N8nStepType>();
        services.AddStepType<SparkStepType>();
        services.AddCosmosContainer(SparkJobStore.Container);
        services.TryAddSingleton<SparkJobStore>();
        services.TryAddSingleton<SparkJobService>();
        return services;
    }

    /// <summary>The engine named <paramref name="engine"/> (a <see cref="JobReference.Engine"/>), for resuming a checkpointed job.</summary>
    /// <exception cref="InvalidOperationException">No engine of that name is registered.</exception>
    public static IJobEngine GetJobEngine(this IServiceProvider services, string engine) =>
        services.GetServices<IJobEngine>().FirstOrDefault(e => e.Name == engine)
        ?? throw new InvalidOperationException($"No job engine named '{engine}' is registered (known: {string.Join(", ", services.GetServices<IJobEngine>().Select(e => e.Name))}).");
}
