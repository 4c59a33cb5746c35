namespace IntegrationHub.Deployment.Tests.Support;

/// <summary>
/// App settings that are legitimately present without an options class binding them. Every entry says who
/// reads it; anything else in local.settings.sample.json or the Bicep app settings must be bound by code.
/// </summary>
public static class PlatformSettings
{
    /// <summary>Names (exact) with the reason they exist.</summary>
    public static IReadOnlyDictionary<string, string> Allowed { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // The Functions host picks the language worker: dotnet-isolated starts worker.config.json's worker (Hub.Functions.dll).
        ["FUNCTIONS_WORKER_RUNTIME"] = "Functions host: selects the .NET isolated worker (Elastic Premium, local func start; Flex Consumption sets it in functionAppConfig.runtime).",
        // The host's major version on Elastic Premium (Flex Consumption sets it itself and rejects the setting).
        ["FUNCTIONS_EXTENSION_VERSION"] = "Functions host: runtime major version.",
        // Local runs: Azurite's development storage connection string for the host.
        ["AzureWebJobsStorage"] = "Functions host: its storage (Azurite locally).",
        // Azure: identity-based host storage connection.
        ["AzureWebJobsStorage__accountName"] = "Functions host: storage account for an identity-based connection.",
        ["AzureWebJobsStorage__credential"] = "Functions host: 'managedidentity' for an identity-based connection.",
        ["AzureWebJobsStorage__clientId"] = "Functions host: which user-assigned identity to use for storage.",
        // Read by the Functions host and by the worker's telemetry (AddHubTelemetry: OpenTelemetry + Azure Monitor exporter) — not an options class.
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "Functions host and worker telemetry: Application Insights target; empty switches the worker's OpenTelemetry export off.",
        // Azure.Identity's DefaultAzureCredential reads it to pick the user-assigned managed identity (Cosmos DB sign-in).
        ["AZURE_CLIENT_ID"] = "Azure.Identity: user-assigned managed identity for DefaultAzureCredential.",
        // The Functions environment name (host and isolated worker): Development relaxes the local secret key requirement.
        ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Functions host and worker: Development or Production.",
        // host.json names the Durable Functions task hub with %DurableTask:HubName%: the Durable extension in the host reads it.
        ["DurableTask__HubName"] = "Durable Functions extension: the task hub name (host.json extensions.durableTask.hubName).",
        // Local runs and tests lower the Azure Storage provider's queue timeouts (host.json overrides, minimum 1 minute).
        ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__controlQueueVisibilityTimeout"] = "Functions host: host.json override, so a killed host's orchestration work is picked up after a minute.",
        ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__workItemQueueVisibilityTimeout"] = "Functions host: host.json override, so a killed host's activity work is picked up after a minute.",
        ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval"] = "Functions host: host.json override, so an idle local host polls its queues every second.",
        // One local host: one control queue, kept busy by every orchestration instead of four polled in turn. The storage provider
        // warns when a task hub's partition count changes (in-flight orchestrations' messages may sit in the other queues): start
        // such a change from a local state without runs in flight.
        ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__partitionCount"] = "Functions host: host.json override, so a single local host polls one control queue instead of four.",
        // Elastic Premium runs the zip-deployed package without an Azure Files content share.
        ["WEBSITE_RUN_FROM_PACKAGE"] = "App Service: run from the zip-deployed package.",
    };

    /// <summary>Whether <paramref name="name"/> is an allowed platform setting.</summary>
    public static bool IsAllowed(string name) => Allowed.ContainsKey(name);
}
