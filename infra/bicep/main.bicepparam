using './main.bicep'

// Secrets come from environment variables of the shell that runs `az deployment group create`, so they
// are never committed; they are stored in Key Vault and read by the app through Key Vault references.
//   export HUB_ADMIN_KEY="$(openssl rand -base64 32)"
//   export HUB_LOCAL_SECRET_KEY="$(openssl rand -base64 32)"   # needed unless Vault is configured
param adminKey = readEnvironmentVariable('HUB_ADMIN_KEY')
param localSecretKey = readEnvironmentVariable('HUB_LOCAL_SECRET_KEY', '')
param vaultToken = readEnvironmentVariable('HUB_VAULT_TOKEN', '')
param vaultSecretId = readEnvironmentVariable('HUB_VAULT_SECRET_ID', '')
param pulsarToken = readEnvironmentVariable('HUB_PULSAR_TOKEN', '')
param n8nApiKey = readEnvironmentVariable('HUB_N8N_API_KEY', '')
param livyPassword = readEnvironmentVariable('HUB_LIVY_PASSWORD', '')
param livyToken = readEnvironmentVariable('HUB_LIVY_TOKEN', '')

param baseName = 'ihub'
param planKind = 'FlexConsumption'
param premiumSku = 'EP1'
param cosmosServerless = true
param cosmosDatabase = 'integrationhub'

// External systems: leave empty to run without them.
param vaultAddress = ''
param vaultAuthMethod = 'token'
param pulsarServiceUrl = ''
param pulsarTenant = 'public'
param pulsarNamespace = 'default'
param n8nBaseUrl = ''
param livyBaseUrl = ''
