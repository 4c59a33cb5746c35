// Cosmos DB for NoSQL: the account (serverless by default), the hub's database and every container the
// code registers (AddCosmosContainer), and the built-in data-contributor role for the app's identity.
// Key (local) auth is disabled: the hub signs in with its managed identity (Cosmos__Key stays empty), and
// because data-plane roles cannot create containers, the hub runs with Cosmos__CreateIfMissing=false and
// this template owns the schema.

@description('Cosmos DB account name: 3-44 lower-case letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(44)
param accountName string

@description('Name of the hub database (Cosmos__Database).')
param databaseName string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Serverless (pay per request) when true; provisioned autoscale throughput on the database when false.')
param serverless bool = true

@description('Provisioned mode only: the database autoscale maximum RU/s, shared by all containers.')
@minValue(1000)
param autoscaleMaxThroughput int = 1000

@description('Principal id of the managed identity that gets the data-plane role.')
param principalId string

// Every container the code registers, one per line: name, partition key path, default TTL in seconds
// (-1: TTL on, items opt in; null: off), and paths left out of its index (bulk payloads read only by id:
// a page's events, the record memory keyed by record id; ContainerDefinition.UnindexedPaths). Hub.Deployment.Tests compares this list with the code's
// ContainerDefinition registrations, so a container added in code fails the tests until it is added here.
var containers = [
  { name: 'tenants', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [] }
  { name: 'idempotency', partitionKeyPath: '/tenantId', defaultTtl: -1, unindexed: [] }
  { name: 'secrets', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [] }
  { name: 'credentials', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [] }
  { name: 'integrations', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [] }
  { name: 'flows', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [] }
  { name: 'runs', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [] }
  { name: 'outbox', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [ '/events/*', '/memoryRecords/*' ] }
  { name: 'records', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [ '/records/*' ] }
  { name: 'events', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [ '/events/*', '/memoryRecords/*', '/cursorAfter/*' ] }
  { name: 'deadletters', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [] }
  { name: 'webhooks', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [] }
  { name: 'sparkjobs', partitionKeyPath: '/tenantId', defaultTtl: null, unindexed: [] }
]

// The hub queries by tenant, kind and timestamps and never by large free-text fields; the default
// "index everything" policy serves every query it issues, less each container's unindexed bulk payloads.
// _etag is excluded as the service recommends.
var indexingPolicy = {
  indexingMode: 'consistent'
  automatic: true
  includedPaths: [
    { path: '/*' }
  ]
  excludedPaths: [
    { path: '/"_etag"/?' }
  ]
}

// Built-in "Cosmos DB Built-in Data Contributor" (data plane: read/write items, query, no schema changes).
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: serverless ? [ { name: 'EnableServerless' } ] : []
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    // Serverless accounts reject any throughput setting.
    options: serverless ? {} : { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } }
  }
}

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for c in containers: {
  parent: database
  name: c.name
  properties: {
    resource: union({
      id: c.name
      partitionKey: {
        paths: [ c.partitionKeyPath ]
        kind: 'Hash'
        version: 2
      }
      indexingPolicy: union(indexingPolicy, {
        excludedPaths: concat(indexingPolicy.excludedPaths, map(c.unindexed, path => { path: path }))
      })
    }, c.defaultTtl == null ? {} : { defaultTtl: c.defaultTtl })
  }
}]

resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, principalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: principalId
    scope: account.id
  }
}

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
