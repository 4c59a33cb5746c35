// IntegrationHub on Azure: a Linux Function App running the hub as a .NET 10 isolated worker
// (dotnet-isolated), its storage account (managed identity only), Cosmos DB (serverless by default) with every container the code
// uses, Application Insights on Log Analytics, Key Vault for secrets, and one user-assigned identity
// holding every data-plane role.
//
//   az group create -n rg-integrationhub -l westeurope
//   az deployment group create -g rg-integrationhub -f infra/bicep/main.bicep -p infra/bicep/main.bicepparam
//
// Then deploy the code (./scripts/package.sh: dotnet publish output, zipped; then a zip deploy): see
// README.md "Deploying to Azure".

targetScope = 'resourceGroup'

@description('Short name used to derive every resource name (lower-case letters and digits).')
@minLength(3)
@maxLength(12)
param baseName string = 'ihub'

@description('Azure region; defaults to the resource group\'s. Flex Consumption is available in a subset of regions (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Hosting plan: FlexConsumption (FC1, scale to zero) or ElasticPremium (EP1..EP3, always warm).')
@allowed([ 'FlexConsumption', 'ElasticPremium' ])
param planKind string = 'FlexConsumption'

@description('Elastic Premium SKU (ignored on Flex Consumption).')
@allowed([ 'EP1', 'EP2', 'EP3' ])
param premiumSku string = 'EP1'

@description('Cosmos DB serverless (true) or provisioned autoscale throughput (false).')
param cosmosServerless bool = true

@description('Cosmos DB database name (Cosmos__Database).')
param cosmosDatabase string = 'integrationhub'

@description('Tags applied to every resource.')
param tags object = {
  application: 'integrationhub'
}

// ---- Secrets: written to Key Vault, read by the app through Key Vault references. ----

@description('Operator key that manages tenants and API keys (Auth__AdminKey), at least 24 characters.')
@secure()
@minLength(24)
param adminKey string

@description('Local secret store key (Secrets__LocalKey): base64 of 32 random bytes (openssl rand -base64 32). Required when Vault is not used.')
@secure()
param localSecretKey string = ''

@description('HashiCorp Vault token for token auth (Vault__Token).')
@secure()
param vaultToken string = ''

@description('HashiCorp Vault AppRole secret id for approle auth (Vault__SecretId).')
@secure()
param vaultSecretId string = ''

@description('Apache Pulsar JWT (Pulsar__Token).')
@secure()
param pulsarToken string = ''

@description('n8n API key (N8n__ApiKey).')
@secure()
param n8nApiKey string = ''

@description('Apache Livy basic-auth password (Livy__Password).')
@secure()
param livyPassword string = ''

@description('Apache Livy bearer token (Livy__Token).')
@secure()
param livyToken string = ''

// ---- Plain settings ----

@description('Trust App Service Authentication\'s X-MS-CLIENT-PRINCIPAL header (only with Easy Auth enabled).')
param trustAppServiceAuthentication bool = false

@description('HashiCorp Vault address (Vault__Address); empty: secrets go to the local AES-GCM store in Cosmos DB.')
param vaultAddress string = ''

@description('Vault Enterprise / HCP namespace (Vault__Namespace).')
param vaultNamespace string = ''

@description('KV v2 mount (Vault__KvMount).')
param vaultKvMount string = 'secret'

@description('Folder under the mount (Vault__PathPrefix).')
param vaultPathPrefix string = 'integrationhub'

@description('Vault auth method (Vault__AuthMethod). azure uses this deployment\'s managed identity.')
@allowed([ 'token', 'approle', 'azure', 'kubernetes' ])
param vaultAuthMethod string = 'token'

@description('Where the auth method is mounted (Vault__AuthMount); empty: the method\'s name.')
param vaultAuthMount string = ''

@description('Vault role for azure/kubernetes auth (Vault__Role).')
param vaultRole string = ''

@description('AppRole role id (Vault__RoleId).')
param vaultRoleId string = ''

@description('Audience of the managed-identity token for Vault azure auth (Vault__AzureResource).')
param vaultAzureResource string = 'https://management.azure.com/'

@description('Pulsar WebSocket service URL, e.g. wss://pulsar.example.com:8443 (Pulsar__ServiceUrl); empty: Pulsar off.')
param pulsarServiceUrl string = ''

@description('Pulsar tenant (Pulsar__Tenant).')
param pulsarTenant string = 'public'

@description('Pulsar namespace (Pulsar__Namespace).')
param pulsarNamespace string = 'default'

@description('n8n base URL, e.g. https://n8n.example.com (N8n__BaseUrl).')
param n8nBaseUrl string = ''

@description('Apache Livy base URL, e.g. https://livy.example.com:8998 (Livy__BaseUrl).')
param livyBaseUrl string = ''

@description('Apache Livy auth mode (Livy__Auth).')
param livyAuth string = 'None'

@description('Apache Livy basic-auth user (Livy__UserName).')
param livyUserName string = ''

var suffix = uniqueString(resourceGroup().id, baseName)
var names = {
  identity: 'id-${baseName}-${suffix}'
  workspace: 'log-${baseName}-${suffix}'
  appInsights: 'appi-${baseName}-${suffix}'
  storage: take(toLower('st${baseName}${suffix}'), 24)
  cosmos: toLower('cosmos-${baseName}-${suffix}')
  keyVault: take('kv-${baseName}-${suffix}', 24)
  plan: 'plan-${baseName}-${suffix}'
  app: 'func-${baseName}-${suffix}'
  deploymentContainer: 'app-package'
}

// Key Vault secret names (letters, digits, hyphens). A secret left empty is not stored, and its app setting stays empty.
var secretNames = {
  adminKey: 'auth-admin-key'
  localSecretKey: 'secrets-local-key'
  vaultToken: 'vault-token'
  vaultSecretId: 'vault-secret-id'
  pulsarToken: 'pulsar-token'
  n8nApiKey: 'n8n-api-key'
  livyPassword: 'livy-password'
  livyToken: 'livy-token'
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    deploymentContainerName: names.deploymentContainer
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: names.cosmos
    databaseName: cosmosDatabase
    location: location
    tags: tags
    serverless: cosmosServerless
    principalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    secrets: {
      items: [
        { name: secretNames.adminKey, value: adminKey }
        { name: secretNames.localSecretKey, value: localSecretKey }
        { name: secretNames.vaultToken, value: vaultToken }
        { name: secretNames.vaultSecretId, value: vaultSecretId }
        { name: secretNames.pulsarToken, value: pulsarToken }
        { name: secretNames.n8nApiKey, value: n8nApiKey }
        { name: secretNames.livyPassword, value: livyPassword }
        { name: secretNames.livyToken, value: livyToken }
      ]
    }
  }
}

// A Key Vault reference without a version: the app follows the latest version of the secret.
var kv = keyVault.outputs.uri

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: names.app
    planName: names.plan
    location: location
    tags: tags
    planKind: planKind
    premiumSku: premiumSku
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.connectionString
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabase: cosmos.outputs.databaseName
    adminKeyReference: '@Microsoft.KeyVault(SecretUri=${kv}secrets/${secretNames.adminKey}/)'
    localSecretKeyReference: empty(localSecretKey) ? '' : '@Microsoft.KeyVault(SecretUri=${kv}secrets/${secretNames.localSecretKey}/)'
    vaultTokenReference: empty(vaultToken) ? '' : '@Microsoft.KeyVault(SecretUri=${kv}secrets/${secretNames.vaultToken}/)'
    vaultSecretIdReference: empty(vaultSecretId) ? '' : '@Microsoft.KeyVault(SecretUri=${kv}secrets/${secretNames.vaultSecretId}/)'
    pulsarTokenReference: empty(pulsarToken) ? '' : '@Microsoft.KeyVault(SecretUri=${kv}secrets/${secretNames.pulsarToken}/)'
    n8nApiKeyReference: empty(n8nApiKey) ? '' : '@Microsoft.KeyVault(SecretUri=${kv}secrets/${secretNames.n8nApiKey}/)'
    livyPasswordReference: empty(livyPassword) ? '' : '@Microsoft.KeyVault(SecretUri=${kv}secrets/${secretNames.livyPassword}/)'
    livyTokenReference: empty(livyToken) ? '' : '@Microsoft.KeyVault(SecretUri=${kv}secrets/${secretNames.livyToken}/)'
    trustAppServiceAuthentication: trustAppServiceAuthentication
    vaultAddress: vaultAddress
    vaultNamespace: vaultNamespace
    vaultKvMount: vaultKvMount
    vaultPathPrefix: vaultPathPrefix
    vaultAuthMethod: vaultAuthMethod
    vaultAuthMount: vaultAuthMount
    vaultRole: vaultRole
    vaultRoleId: vaultRoleId
    vaultAzureResource: vaultAzureResource
    pulsarServiceUrl: pulsarServiceUrl
    pulsarTenant: pulsarTenant
    pulsarNamespace: pulsarNamespace
    n8nBaseUrl: n8nBaseUrl
    livyBaseUrl: livyBaseUrl
    livyAuth: livyAuth
    livyUserName: livyUserName
  }
}

@description('The hub\'s base URL; the API is under /api (health: /api/health).')
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'
output functionAppName string = functionApp.outputs.name
output planName string = functionApp.outputs.planName
output storageAccountName string = storage.outputs.name
output cosmosAccountName string = cosmos.outputs.accountName
output cosmosEndpoint string = cosmos.outputs.endpoint
output keyVaultName string = keyVault.outputs.name
output appInsightsName string = monitoring.outputs.appInsightsName
output logAnalyticsWorkspaceName string = monitoring.outputs.workspaceName
output identityClientId string = identity.outputs.clientId
