// Key Vault for the hub's secrets. The deployment writes the secrets given as @secure() parameters
// (an empty one is skipped) and the Function App reads them through Key Vault references
// (@Microsoft.KeyVault(SecretUri=...)) resolved with its user-assigned identity, so no secret value is
// stored in the app's configuration or in the deployment history.

@description('Key Vault name: 3-24 letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Principal id of the managed identity that reads the secrets.')
param principalId string

@description('Secrets to store: [{ name, value }]. Entries with an empty value are not created.')
@secure()
param secrets object

// Built-in "Key Vault Secrets User": read secret values.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for s in secrets.items: if (!empty(s.value)) {
  parent: vault
  name: s.name
  properties: {
    value: s.value
  }
}]

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, principalId, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
