using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IntegrationHub.Connectors;

/// <summary>How a connector runs: in the hub's process, as an n8n workflow, or as a Spark job.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConnectorKind>))]
public enum ConnectorKind
{
    /// <summary>C# code in the hub.</summary>
    Native,

    /// <summary>An n8n workflow the hub triggers.</summary>
    N8n,

    /// <summary>A Spark job the hub submits.</summary>
    Spark,
}

/// <summary>What a connector can do; the catalog shows these so a user knows what an integration offers before configuring it.</summary>
/// <param name="PollStreams">Reads streams incrementally (<see cref="IConnector.ReadAsync"/>).</param>
/// <param name="Actions">Executes named actions (<see cref="IConnector.ExecuteActionAsync"/>).</param>
/// <param name="Webhooks">Receives pushed events.</param>
public sealed record ConnectorCapabilities(bool PollStreams, bool Actions, bool Webhooks);

/// <summary>Whether a connector takes a credential, for the catalog and for the checks made when an integration is saved.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CredentialRequirement>))]
public enum CredentialRequirement
{
    /// <summary>The connector takes no credential (its credential record is <see cref="NoCredential"/>); one attached is refused.</summary>
    None,

    /// <summary>Every integration of the connector needs a credential.</summary>
    Required,

    /// <summary>The integration's configuration decides (the generic REST source with <c>auth: none</c> needs none): <see cref="IConnector.RequiresCredential"/> answers for one configuration.</summary>
    DependsOnConfiguration,
}

/// <summary>A stream a connector reads.</summary>
/// <param name="Name">The name passed to <see cref="IConnector.ReadAsync"/>.</param>
/// <param name="Description">What the records are.</param>
/// <param name="CursorNotes">How the cursor works and what the API does (and does not) report: updates, deletions, ties.</param>
public sealed record StreamDescriptor(string Name, string Description, string CursorNotes);

/// <summary>A named action and the JSON Schema of its input.</summary>
public sealed record ActionDescriptor(string Name, string Description, JsonNode InputSchema)
{
    /// <summary>The CLR type the input binds to; validation uses it.</summary>
    [JsonIgnore]
    public Type InputType { get; init; } = typeof(object);

    /// <summary>Describes an action whose input is <typeparamref name="TInput"/>.</summary>
    public static ActionDescriptor For<TInput>(string name, string description) =>
        new(name, description, ConnectorSchemas.For(typeof(TInput))) { InputType = typeof(TInput) };
}

/// <summary>
/// Proactive pacing defaults: a token bucket per (connector, credential), so the hub stays under an API's
/// documented limit instead of discovering it through 429s.
/// </summary>
/// <param name="TokenLimit">Burst size.</param>
/// <param name="TokensPerPeriod">Tokens added every <paramref name="Period"/>.</param>
/// <param name="Period">Replenishment period.</param>
public sealed record RateLimitDefaults(int TokenLimit, int TokensPerPeriod, TimeSpan Period)
{
    /// <summary>No pacing (local sources such as Sample).</summary>
    public static RateLimitDefaults? None => null;

    /// <summary><paramref name="requests"/> per <paramref name="period"/>, with a burst of <paramref name="burst"/>.</summary>
    public static RateLimitDefaults Per(TimeSpan period, int requests, int burst) => new(burst, requests, period);
}

/// <summary>
/// Everything the catalog shows about a connector, and what the hub needs to validate a configuration
/// before it is saved: the schemas are generated from the connector's configuration and credential records.
/// </summary>
public sealed record ConnectorDescriptor
{
    /// <summary>Stable id, lower case (<c>zulip</c>, <c>slack</c>); stored in integrations, so never renamed.</summary>
    public required string Id { get; init; }

    public required string DisplayName { get; init; }

    /// <summary>Catalog grouping: <c>chat</c>, <c>developer-tools</c>, <c>project-management</c>, <c>generic</c>, <c>demo</c>.</summary>
    public required string Category { get; init; }

    public required string Description { get; init; }

    /// <summary>Logo URL or data URI.</summary>
    public string? Logo { get; init; }

    public ConnectorKind Kind { get; init; } = ConnectorKind.Native;

    public required ConnectorCapabilities Capabilities { get; init; }

    public IReadOnlyList<StreamDescriptor> Streams { get; init; } = [];

    public IReadOnlyList<ActionDescriptor> Actions { get; init; } = [];

    /// <summary>
    /// Whether integrations need a credential. <see cref="Connector{TConfiguration, TCredential}"/> sets
    /// <see cref="CredentialRequirement.None"/> for a <see cref="NoCredential"/> connector; a connector whose need depends on
    /// its configuration says <see cref="CredentialRequirement.DependsOnConfiguration"/> in its descriptor.
    /// </summary>
    public CredentialRequirement Credential { get; init; } = CredentialRequirement.Required;

    /// <summary>Pacing defaults; <see langword="null"/> means unpaced.</summary>
    public RateLimitDefaults? RateLimit { get; init; }

    /// <summary>The configuration record type.</summary>
    [JsonIgnore]
    public Type ConfigurationType { get; init; } = typeof(object);

    /// <summary>The credential record type.</summary>
    [JsonIgnore]
    public Type CredentialType { get; init; } = typeof(object);

    /// <summary>JSON Schema of the configuration (from <see cref="ConfigurationType"/>).</summary>
    public JsonNode ConfigurationSchema { get; init; } = new JsonObject();

    /// <summary>JSON Schema of the credential (from <see cref="CredentialType"/>); secret fields are <c>writeOnly</c>.</summary>
    public JsonNode CredentialSchema { get; init; } = new JsonObject();

    /// <summary>The action named <paramref name="name"/>, or <see langword="null"/>.</summary>
    public ActionDescriptor? FindAction(string name) => Actions.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));

    /// <summary>Whether the connector reads <paramref name="name"/>.</summary>
    public bool HasStream(string name) => Streams.Any(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
