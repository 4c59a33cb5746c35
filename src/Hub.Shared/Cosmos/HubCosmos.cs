using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Shared.Cosmos;

/// <summary>
/// The hub's Cosmos DB account and database: one <see cref="CosmosClient"/> for the process (the SDK
/// wants a singleton), key auth or Microsoft Entra ID, and access to the registered containers.
/// </summary>
public sealed class HubCosmos : IDisposable
{
    private readonly Dictionary<string, ContainerDefinition> _definitions;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the client from validated options.</summary>
    public HubCosmos(IOptions<CosmosOptions> options, IEnumerable<ContainerDefinition> containers)
    {
        Options = options.Value;
        _definitions = containers.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = "IntegrationHub",
            UseSystemTextJsonSerializerWithOptions = SerializerOptions,
            MaxRetryAttemptsOnRateLimitedRequests = Options.MaxRetryAttemptsOnThrottle,
            MaxRetryWaitTimeOnRateLimitedRequests = Options.MaxRetryWait,
            RequestTimeout = Options.RequestTimeout,
            EnableContentResponseOnWrite = false, // a write answers with its ETag only (DocumentSet); event pages are ~1 MB
        };
        if (Options.UseGatewayOnly)
        {
            clientOptions.ConnectionMode = ConnectionMode.Gateway;
            clientOptions.LimitToEndpoint = true;
        }

        Client = string.IsNullOrEmpty(Options.Key)
            ? new CosmosClient(Options.Endpoint, new DefaultAzureCredential(), clientOptions)
            : new CosmosClient(Options.Endpoint, Options.Key, clientOptions);
    }

    /// <summary>How stored documents are written: web defaults, enums as snake_case strings, nulls left out.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = CreateSerializerOptions();

    /// <summary>The options the client was made with.</summary>
    public CosmosOptions Options { get; }

    /// <summary>The SDK client.</summary>
    public CosmosClient Client { get; }

    /// <summary>Every container the hub's features registered.</summary>
    public IReadOnlyCollection<ContainerDefinition> Definitions => _definitions.Values;

    /// <summary>Completes once the database and containers exist (at once when creation is left to the infrastructure).</summary>
    public Task Ready => Options.CreateIfMissing ? _ready.Task : Task.CompletedTask;

    /// <summary>The hub's database.</summary>
    public Database Database => Client.GetDatabase(Options.Database);

    /// <summary>A registered container; asking for an unregistered one is a programming error.</summary>
    public Container Container(string name) => _definitions.ContainsKey(name)
        ? Database.GetContainer(name)
        : throw new InvalidOperationException($"The Cosmos container '{name}' is not registered; call AddCosmosContainer for it.");

    /// <summary>A typed document set over a registered container.</summary>
    public DocumentSet<T> Documents<T>(string container)
        where T : TenantDocument => new(Container(container));

    /// <summary>Creates the database and every registered container that is missing.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var database = (await Client.CreateDatabaseIfNotExistsAsync(Options.Database, cancellationToken: cancellationToken)).Database;
        foreach (var definition in _definitions.Values)
        {
            var properties = new ContainerProperties(definition.Name, definition.PartitionKeyPath)
            {
                DefaultTimeToLive = definition.DefaultTimeToLiveSeconds,
            };
            foreach (var path in definition.UnindexedPaths ?? [])
            {
                properties.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = path });
            }

            await database.CreateContainerIfNotExistsAsync(properties, cancellationToken: cancellationToken);
        }

        _ready.TrySetResult();
    }

    /// <inheritdoc />
    public void Dispose() => Client.Dispose();

    private static JsonSerializerOptions CreateSerializerOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
