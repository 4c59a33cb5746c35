using System.Text.Json;
using IntegrationHub.Connectors.Http;

namespace IntegrationHub.Connectors;

/// <summary>
/// Base of every connector: it generates the descriptor's schemas from <typeparamref name="TConfiguration"/>
/// and <typeparamref name="TCredential"/>, validates and binds them (and action inputs) before any call,
/// so a connector only ever works with valid typed records.
/// </summary>
/// <typeparam name="TConfiguration">The configuration record (public, non-secret settings).</typeparam>
/// <typeparam name="TCredential">The credential record; its values come from the secret store through <see cref="ConnectorContext.Credentials"/>.</typeparam>
public abstract class Connector<TConfiguration, TCredential> : IConnector
    where TConfiguration : class
    where TCredential : class
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    private ConnectorDescriptor? _descriptor;

    protected Connector(ConnectorServices services)
    {
        Services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>The shared services: HTTP, time.</summary>
    protected ConnectorServices Services { get; }

    /// <inheritdoc />
    public ConnectorDescriptor Descriptor => _descriptor ??= Describe() with
    {
        ConfigurationType = typeof(TConfiguration),
        ConfigurationSchema = ConnectorSchemas.For(typeof(TConfiguration)),
        CredentialType = typeof(TCredential),
        CredentialSchema = ConnectorSchemas.For(typeof(TCredential)),
    } is var described && typeof(TCredential) == typeof(NoCredential)
        ? described with { Credential = CredentialRequirement.None }
        : described;

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="CredentialRequirement.None"/>: false; <see cref="CredentialRequirement.Required"/>: true;
    /// <see cref="CredentialRequirement.DependsOnConfiguration"/>: <see cref="RequiresCredential(TConfiguration)"/> for the
    /// bound configuration, or true when it does not bind (its errors are reported on their own).
    /// </remarks>
    public bool RequiresCredential(JsonElement configuration)
    {
        switch (Descriptor.Credential)
        {
            case CredentialRequirement.None:
                return false;
            case CredentialRequirement.Required:
                return true;
        }

        var json = configuration.ValueKind == JsonValueKind.Undefined ? EmptyObject : configuration;
        return ConnectorConfigurationValidator.Bind(typeof(TConfiguration), json, out var bound).Count > 0 || RequiresCredential((TConfiguration)bound!);
    }

    /// <summary>The connector's descriptor; the schemas are filled in from the type parameters.</summary>
    protected abstract ConnectorDescriptor Describe();

    /// <inheritdoc />
    public async Task<ConnectionCheck> CheckAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        var session = Open(context);
        try
        {
            return await CheckAsync(session, cancellationToken);
        }
        catch (ConnectorException e)
        {
            return ConnectionCheck.Failure(e.Message);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RecordPage> ReadAsync(ConnectorContext context, string stream, JsonElement? cursor, CancellationToken cancellationToken)
    {
        if (!Descriptor.HasStream(stream))
        {
            throw new ConnectorException(Descriptor.Id, null, ConnectorErrorKind.Configuration, $"{Descriptor.DisplayName} has no stream '{stream}'; it has: {string.Join(", ", Descriptor.Streams.Select(s => s.Name))}.");
        }

        // A cursor this connector did not write must not silently restart the stream from the beginning.
        if (cursor is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) } foreign)
        {
            throw new ConnectorException(Descriptor.Id, null, ConnectorErrorKind.Configuration, $"{Descriptor.DisplayName}: a cursor must be a JSON object written by this connector, not {foreign.ValueKind}.");
        }

        // Validation happens here, before enumeration, so a bad configuration fails the call itself.
        return ReadAsync(Open(context), stream, cursor is { ValueKind: JsonValueKind.Object } ? cursor : null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<JsonElement> ExecuteActionAsync(ConnectorContext context, string action, JsonElement input, CancellationToken cancellationToken)
    {
        var descriptor = Descriptor.FindAction(action)
            ?? throw new ConnectorException(Descriptor.Id, null, ConnectorErrorKind.Configuration, $"{Descriptor.DisplayName} has no action '{action}'; it has: {string.Join(", ", Descriptor.Actions.Select(a => a.Name))}.");
        var session = Open(context);
        var errors = ConnectorConfigurationValidator.Bind(descriptor.InputType, input, out var bound);
        if (errors.Count > 0)
        {
            throw new ConnectorValidationException(Descriptor.Id, $"action '{action}' input", errors);
        }

        return await ExecuteActionAsync(session, action, bound!, cancellationToken);
    }

    /// <summary>For a connector whose descriptor says <see cref="CredentialRequirement.DependsOnConfiguration"/>: whether <paramref name="configuration"/> needs a credential. The default is true.</summary>
    protected virtual bool RequiresCredential(TConfiguration configuration) => true;

    /// <summary>Checks the connection with a cheap authenticated call; a <see cref="ConnectorException"/> becomes a failed check.</summary>
    protected abstract Task<ConnectionCheck> CheckAsync(ConnectorSession<TConfiguration, TCredential> session, CancellationToken cancellationToken);

    /// <summary>Reads <paramref name="stream"/> after <paramref name="cursor"/> (a JSON object this connector produced earlier, or null).</summary>
    protected abstract IAsyncEnumerable<RecordPage> ReadAsync(ConnectorSession<TConfiguration, TCredential> session, string stream, JsonElement? cursor, CancellationToken cancellationToken);

    /// <summary>Executes an action; <paramref name="input"/> is the bound, validated input record of the action's type.</summary>
    protected virtual Task<JsonElement> ExecuteActionAsync(ConnectorSession<TConfiguration, TCredential> session, string action, object input, CancellationToken cancellationToken) =>
        throw new ConnectorException(Descriptor.Id, null, ConnectorErrorKind.Configuration, $"{Descriptor.DisplayName} has no actions.");

    private ConnectorSession<TConfiguration, TCredential> Open(ConnectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // No configuration at all is the empty object: a connector whose settings all have defaults needs none.
        var json = context.Configuration.ValueKind == JsonValueKind.Undefined ? EmptyObject : context.Configuration;
        var configurationErrors = ConnectorConfigurationValidator.Bind(typeof(TConfiguration), json, out var configuration);
        if (configurationErrors.Count > 0)
        {
            throw new ConnectorValidationException(Descriptor.Id, "configuration", configurationErrors);
        }

        var credentialErrors = ConnectorConfigurationValidator.Bind(typeof(TCredential), JsonSerializer.SerializeToElement(context.Credentials), out var credential);
        if (credentialErrors.Count > 0)
        {
            throw new ConnectorValidationException(Descriptor.Id, "credential", credentialErrors);
        }

        return new ConnectorSession<TConfiguration, TCredential>(
            context,
            (TConfiguration)configuration!,
            (TCredential)credential!,
            Services.Http.Create(Descriptor, context));
    }
}

/// <summary>One operation's bound records and HTTP client.</summary>
public sealed class ConnectorSession<TConfiguration, TCredential>(ConnectorContext context, TConfiguration configuration, TCredential credential, ConnectorHttp http)
{
    public ConnectorContext Context { get; } = context;

    public TConfiguration Configuration { get; } = configuration;

    /// <summary>The secret values; never log or print them.</summary>
    public TCredential Credential { get; } = credential;

    public ConnectorHttp Http { get; } = http;
}

/// <summary>What every connector is built with, in one injectable bundle so adding a service never changes every constructor.</summary>
public sealed class ConnectorServices(ConnectorHttpFactory http, TimeProvider time)
{
    public ConnectorHttpFactory Http { get; } = http;

    public TimeProvider Time { get; } = time;
}

/// <summary>The credential of a connector that needs none.</summary>
public sealed record NoCredential;
