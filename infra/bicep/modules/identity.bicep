// The user-assigned managed identity the Function App runs as. One identity for every data-plane call
// (Functions host storage, Cosmos DB, Key Vault references, Vault's azure auth), so access is granted
// and revoked in one place and survives re-creating the app.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
