using System.Text.Json;

namespace IntegrationHub.Connectors;

/// <summary>
/// A connector: checks a connection, reads streams incrementally and executes named actions. Implement it
/// through <see cref="Connector{TConfiguration, TCredential}"/>, which binds and validates the typed records.
/// </summary>
public interface IConnector
{
    ConnectorDescriptor Descriptor { get; }

    /// <summary>
    /// Whether an integration with <paramref name="configuration"/> (JSON of the connector's configuration record) needs a
    /// credential. The default follows <see cref="ConnectorDescriptor.Credential"/>, counting
    /// <see cref="CredentialRequirement.DependsOnConfiguration"/> as required; the hub asks this before it saves an
    /// integration without a credential.
    /// </summary>
    bool RequiresCredential(JsonElement configuration) => Descriptor.Credential != CredentialRequirement.None;

    /// <summary>Tests the connection: a cheap authenticated call. Fails with a message, not an exception, when the source refuses.</summary>
    Task<ConnectionCheck> CheckAsync(ConnectorContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Reads <paramref name="stream"/> from <paramref name="cursor"/> (<see langword="null"/>: from the beginning).
    /// Each page carries the cursor to resume after it; pages are fetched lazily, one at a time.
    /// </summary>
    IAsyncEnumerable<RecordPage> ReadAsync(ConnectorContext context, string stream, JsonElement? cursor, CancellationToken cancellationToken);

    /// <summary>Executes <paramref name="action"/> with <paramref name="input"/> (validated against its schema) and returns the API's result.</summary>
    Task<JsonElement> ExecuteActionAsync(ConnectorContext context, string action, JsonElement input, CancellationToken cancellationToken);
}
