// The hosting plan and the Linux Function App that runs the hub as a .NET isolated worker
// (FUNCTIONS_WORKER_RUNTIME dotnet-isolated, .NET 10) on the Azure Functions host v4.
//
// Plans:
//  - FlexConsumption (FC1): the language is set in functionAppConfig.runtime { name: 'dotnet-isolated',
//    version: '10.0' }; the package lives in a blob container read with the managed identity.
//    FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION / WEBSITE_RUN_FROM_PACKAGE must NOT be app
//    settings there (Microsoft Learn, "App settings reference for Azure Functions", section "Flex
//    Consumption plan deprecations": https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations;
//    runtime names/versions: "Flex Consumption plan hosting", https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan,
//    and az functionapp list-flexconsumption-runtimes).
//  - ElasticPremium (EP1..EP3): siteConfig.linuxFxVersion 'DOTNET-ISOLATED|10.0' plus the app settings
//    FUNCTIONS_WORKER_RUNTIME=dotnet-isolated and FUNCTIONS_EXTENSION_VERSION=~4 (Microsoft Learn,
//    "Automate resource deployment for your function app", https://learn.microsoft.com/azure/azure-functions/functions-infrastructure-as-code,
//    and "Update language stack versions", https://learn.microsoft.com/azure/azure-functions/update-language-versions);
//    runs from the zip-deployed package (WEBSITE_RUN_FROM_PACKAGE=1) without an Azure Files content
//    share, so storage needs no shared key.
//
// The deployable is `dotnet publish src/Hub.Functions -c Release`, zipped (scripts/package.sh).
//
// App settings: one per line as { name: '...', value: ... } between the "app-settings:begin/end" markers.
// Hub.Deployment.Tests reads those lines and compares them with every setting the code binds and every
// %Setting% the build's functions.metadata names (the Timers__* schedules).

@description('Function App name (also the default host name prefix).')
param name string

@description('Hosting plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('FlexConsumption (FC1) or ElasticPremium.')
@allowed([ 'FlexConsumption', 'ElasticPremium' ])
param planKind string

@description('Elastic Premium SKU.')
@allowed([ 'EP1', 'EP2', 'EP3' ])
param premiumSku string = 'EP1'

@description('Elastic Premium: most instances the plan scales out to.')
param premiumMaximumElasticWorkerCount int = 20

@description('Flex Consumption: instance memory in MB.')
@allowed([ 512, 2048, 4096 ])
param flexInstanceMemoryMB int = 2048

@description('Flex Consumption: most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param flexMaximumInstanceCount int = 100

@description('.NET version of the isolated worker (the project targets net10.0): functionAppConfig.runtime.version on Flex Consumption, linuxFxVersion DOTNET-ISOLATED|<version> on Elastic Premium.')
param dotnetVersion string = '10.0'

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

@description('Name of the Functions host storage account (AzureWebJobsStorage__accountName).')
param storageAccountName string

@description('Flex Consumption: URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string

@description('Application Insights connection string (APPLICATIONINSIGHTS_CONNECTION_STRING).')
param appInsightsConnectionString string

@description('AZURE_FUNCTIONS_ENVIRONMENT of the host and the worker (the worker takes its environment name from it, not from ASPNETCORE_ENVIRONMENT).')
param functionsEnvironment string = 'Production'

// Cosmos DB
param cosmosEndpoint string
param cosmosDatabase string

// Auth / secrets: Key Vault reference strings (@Microsoft.KeyVault(SecretUri=...)) or empty.
param adminKeyReference string
param localSecretKeyReference string
param vaultTokenReference string
param vaultSecretIdReference string
param pulsarTokenReference string

param trustAppServiceAuthentication bool = false
param principalTenantClaim string = 'hub_tenant'

// Timer schedules: six-field NCRONTAB ({second} {minute} {hour} {day} {month} {day-of-week}), UTC.
// The defaults are local.settings.sample.json's (Hub.Deployment.Tests compares them).
@description('ScheduleSyncs timer (Timers__ScheduleSyncs): starts due integration schedule slots.')
param timerScheduleSyncs string = '0 * * * * *'
@description('DrainCommands timer (Timers__DrainCommands): drains inbound Pulsar commands.')
param timerDrainCommands string = '*/30 * * * * *'
@description('ProbeDependencies timer (Timers__ProbeDependencies): refreshes the dependency gauge.')
param timerProbeDependencies string = '*/30 * * * * *'
@description('DrainWebhooks timer (Timers__DrainWebhooks): publishes acknowledged webhook deliveries an instance left behind.')
param timerDrainWebhooks string = '*/15 * * * * *'

// HashiCorp Vault
param vaultAddress string = ''
param vaultNamespace string = ''
param vaultKvMount string = 'secret'
param vaultPathPrefix string = 'integrationhub'
@allowed([ 'token', 'approle', 'azure', 'kubernetes' ])
param vaultAuthMethod string = 'token'
param vaultAuthMount string = ''
param vaultRole string = ''
param vaultRoleId string = ''
param vaultAzureResource string = 'https://management.azure.com/'

// Apache Pulsar
param pulsarServiceUrl string = ''
param pulsarTenant string = 'public'
param pulsarNamespace string = 'default'
param pulsarCommandsTopic string = 'hub.commands'
param pulsarCommandsSubscription string = 'integration-hub'
param pulsarCommandsDeadLetterTopic string = 'hub.commands.dlq'

// n8n and Apache Livy (see the pending app settings below)
#disable-next-line no-unused-params
param n8nBaseUrl string = ''
#disable-next-line no-unused-params
param n8nApiKeyReference string = ''
#disable-next-line no-unused-params
param livyBaseUrl string = ''
#disable-next-line no-unused-params
param livyAuth string = 'None'
#disable-next-line no-unused-params
param livyUserName string = ''
#disable-next-line no-unused-params
param livyPasswordReference string = ''
#disable-next-line no-unused-params
param livyTokenReference string = ''

var isFlex = planKind == 'FlexConsumption'

// The hub reads every one of these (Hub.Deployment.Tests checks both directions).
var hubSettings = [
  // app-settings:begin
  { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  { name: 'AZURE_FUNCTIONS_ENVIRONMENT', value: functionsEnvironment }
  // Timer schedules (six-field NCRONTAB, UTC), read by the host as %Timers:Name% from each timer's trigger.
  { name: 'Timers__ScheduleSyncs', value: timerScheduleSyncs }
  { name: 'Timers__DrainCommands', value: timerDrainCommands }
  { name: 'Timers__ProbeDependencies', value: timerProbeDependencies }
  { name: 'Timers__DrainWebhooks', value: timerDrainWebhooks }
  { name: 'Api__MaxRequestBodyBytes', value: '262144' }
  { name: 'Webhooks__MaxBodyBytes', value: '1048576' }
  { name: 'Webhooks__RequestsPerMinute', value: '600' }
  { name: 'Webhooks__Burst', value: '100' }
  { name: 'Webhooks__RedriveAfter', value: '00:00:30' }
  { name: 'Webhooks__RedriveBatchSize', value: '200' }
  { name: 'Webhooks__PublicBaseUrl', value: '' }
  { name: 'Auth__AdminKey', value: adminKeyReference }
  { name: 'Auth__TrustAppServiceAuthentication', value: string(trustAppServiceAuthentication) }
  { name: 'Auth__PrincipalTenantClaim', value: principalTenantClaim }
  { name: 'Auth__KeyCache', value: '00:00:30' }
  { name: 'Cosmos__Endpoint', value: cosmosEndpoint }
  { name: 'Cosmos__Key', value: '' }
  { name: 'Cosmos__Database', value: cosmosDatabase }
  { name: 'Cosmos__UseGatewayOnly', value: 'false' }
  { name: 'Cosmos__CreateIfMissing', value: 'false' }
  { name: 'Cosmos__MaxRetryAttemptsOnThrottle', value: '9' }
  { name: 'Cosmos__MaxRetryWait', value: '00:00:30' }
  { name: 'Cosmos__RequestTimeout', value: '00:00:10' }
  { name: 'Secrets__LocalKey', value: localSecretKeyReference }
  { name: 'Secrets__DevelopmentKeyFile', value: '' }
  { name: 'OAuth__RefreshBeforeExpiry', value: '00:01:00' }
  { name: 'OAuth__DefaultLifetime', value: '01:00:00' }
  { name: 'OAuth__Timeout', value: '00:00:30' }
  { name: 'Vault__Address', value: vaultAddress }
  { name: 'Vault__Namespace', value: vaultNamespace }
  { name: 'Vault__KvMount', value: vaultKvMount }
  { name: 'Vault__PathPrefix', value: vaultPathPrefix }
  { name: 'Vault__AuthMethod', value: vaultAuthMethod }
  { name: 'Vault__Token', value: vaultTokenReference }
  { name: 'Vault__RoleId', value: vaultRoleId }
  { name: 'Vault__SecretId', value: vaultSecretIdReference }
  { name: 'Vault__AuthMount', value: vaultAuthMount }
  { name: 'Vault__Role', value: vaultRole }
  { name: 'Vault__KubernetesJwtPath', value: '/var/run/secrets/kubernetes.io/serviceaccount/token' }
  { name: 'Vault__AzureResource', value: vaultAzureResource }
  { name: 'Vault__AzureClientId', value: identityClientId }
  { name: 'Vault__AzureSubscriptionId', value: subscription().subscriptionId }
  { name: 'Vault__AzureResourceGroupName', value: resourceGroup().name }
  { name: 'Vault__AzureVmName', value: '' }
  { name: 'Vault__AzureVmssName', value: '' }
  { name: 'Vault__AzureResourceId', value: resourceId('Microsoft.Web/sites', name) }
  { name: 'Vault__Timeout', value: '00:00:10' }
  { name: 'Pulsar__ServiceUrl', value: pulsarServiceUrl }
  { name: 'Pulsar__Tenant', value: pulsarTenant }
  { name: 'Pulsar__Namespace', value: pulsarNamespace }
  { name: 'Pulsar__Token', value: pulsarTokenReference }
  { name: 'Pulsar__SendTimeout', value: '00:00:30' }
  { name: 'Pulsar__ConnectTimeout', value: '00:00:10' }
  { name: 'Pulsar__MaxPendingMessages', value: '500' }
  { name: 'Pulsar__MaxSendAttempts', value: '5' }
  { name: 'Pulsar__ReconnectInitialDelay', value: '00:00:00.200' }
  { name: 'Pulsar__ReconnectMaxDelay', value: '00:00:05' }
  { name: 'Pulsar__CommandsTopic', value: pulsarCommandsTopic }
  { name: 'Pulsar__CommandsSubscription', value: pulsarCommandsSubscription }
  { name: 'Pulsar__CommandsDeadLetterTopic', value: pulsarCommandsDeadLetterTopic }
  { name: 'Pulsar__MaxCommandAttempts', value: '5' }
  { name: 'Pulsar__CommandsReceiverQueueSize', value: '20' }
  { name: 'Pulsar__CommandsRetryDelay', value: '00:00:10' }
  { name: 'Pulsar__CommandsIdleWait', value: '00:00:02' }
  { name: 'Runs__PagesPerGeneration', value: '50' }
  { name: 'Runs__PagesPerActivity', value: '5' }
  { name: 'Runs__MaxStepAttempts', value: '5' }
  { name: 'Runs__RetryBaseDelay', value: '00:00:05' }
  { name: 'Runs__RetryMaxDelay', value: '00:05:00' }
  { name: 'Runs__StallAfter', value: '00:10:00' }
  { name: 'Runs__Deadline', value: '06:00:00' }
  { name: 'DurableTask__HubName', value: 'IntegrationHub' }
  { name: 'Runs__ScheduleLookback', value: '1.00:00:00' }
  { name: 'Connectors__Network__AllowPrivateNetworks', value: 'false' }
  { name: 'Connectors__Network__AllowedHosts', value: '' }
  { name: 'Connectors__Network__MaxRedirects', value: '5' }
  { name: 'Connectors__Http__AttemptTimeout', value: '00:00:30' }
  { name: 'Connectors__Http__ConnectTimeout', value: '00:00:10' }
  { name: 'Connectors__Http__UserAgent', value: 'IntegrationHub/1.0' }
  { name: 'Connectors__Resilience__MaxRetries', value: '5' }
  { name: 'Connectors__Resilience__BaseDelay', value: '00:00:01' }
  { name: 'Connectors__Resilience__MaxRateLimitWait', value: '00:15:00' }
  { name: 'Connectors__Resilience__BreakerFailureRatio', value: '0.5' }
  { name: 'Connectors__Resilience__BreakerMinimumThroughput', value: '20' }
  { name: 'Connectors__Resilience__BreakerSamplingDuration', value: '00:00:30' }
  { name: 'Connectors__Resilience__BreakerBreakDuration', value: '00:00:30' }
  { name: 'Connectors__Pacing__Enabled', value: 'true' }
  { name: 'Connectors__Pacing__QueueLimit', value: '1000' }
  // Pending: n8n and Livy settings land with the jobs feature (N8nOptions, LivyOptions). Uncomment when
  // it is merged and AddHubJobs() is called from AddHub; the parameters are already wired from main.bicep
  // and Key Vault. (Connectors__* lands with the connectors feature: the consistency tests list its names.)
  { name: 'N8n__BaseUrl', value: n8nBaseUrl }
  { name: 'N8n__ApiKey', value: n8nApiKeyReference }
  { name: 'N8n__WorkflowTag', value: 'integrationhub' }
  { name: 'N8n__WebhookPath', value: 'webhook' }
  { name: 'N8n__WebhookTimeout', value: '00:00:30' }
  { name: 'N8n__ExecutionPollInterval', value: '00:00:05' }
  { name: 'N8n__RequestTimeout', value: '00:00:30' }
  { name: 'N8n__PageSize', value: '100' }
  { name: 'Livy__BaseUrl', value: livyBaseUrl }
  { name: 'Livy__Auth', value: livyAuth }
  { name: 'Livy__UserName', value: livyUserName }
  { name: 'Livy__Password', value: livyPasswordReference }
  { name: 'Livy__Token', value: livyTokenReference }
  { name: 'Livy__RequestedBy', value: 'integrationhub' }
  { name: 'Livy__PollInterval', value: '00:00:15' }
  { name: 'Livy__LogTailLines', value: '50' }
  { name: 'Livy__ListPageSize', value: '100' }
  { name: 'Livy__RequestTimeout', value: '00:00:30' }
  // app-settings:end
]

// Elastic Premium only: on Flex Consumption these are set by functionAppConfig and rejected as app settings.
var premiumSettings = [
  // app-settings:begin premium
  { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
  { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
  { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
  // app-settings:end premium
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: isFlex ? 'functionapp' : 'elastic'
  sku: isFlex ? { name: 'FC1', tier: 'FlexConsumption' } : { name: premiumSku, tier: 'ElasticPremium' }
  properties: isFlex ? { reserved: true } : { reserved: true, maximumElasticWorkerCount: premiumMaximumElasticWorkerCount }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references are resolved with the user-assigned identity, not a system-assigned one.
    keyVaultReferenceIdentity: identityId
    siteConfig: union({
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: isFlex ? hubSettings : concat(hubSettings, premiumSettings)
    }, isFlex ? {} : {
      // The .NET isolated language stack image of the Functions host (Linux).
      linuxFxVersion: 'DOTNET-ISOLATED|${dotnetVersion}'
      alwaysOn: false
      functionAppScaleLimit: premiumMaximumElasticWorkerCount
      minimumElasticInstanceCount: 1
    })
    functionAppConfig: isFlex ? {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: flexInstanceMemoryMB
        maximumInstanceCount: flexMaximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    } : null
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output planName string = plan.name
