using System.Text.Json;
using System.Text.RegularExpressions;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Credentials;
using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Transforms;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Scheduling;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Core.Integrations;

/// <summary>What a caller defines of an integration; the hub adds id, status, timestamps and run summaries.</summary>
/// <param name="Name">A human name.</param>
/// <param name="ConnectorId">The connector (catalog id).</param>
/// <param name="Configuration">Configuration for the connector's schema; absent means <c>{}</c>.</param>
/// <param name="CredentialId">A credential of the tenant for the same connector; required when the connector takes one.</param>
/// <param name="Stream">One of the connector's streams; absent means its first.</param>
/// <param name="Schedule">Six-field NCRONTAB in UTC (see <see cref="IntegrationSchedule"/>); absent (null) means on demand only; blank or never-firing text is refused.</param>
/// <param name="Enabled">Absent means enabled.</param>
/// <param name="Topic">A short Pulsar topic name or <c>persistent://tenant/namespace/topic</c>; absent means the default naming scheme.</param>
/// <param name="Mapping">A <see cref="RecordMapping"/>; absent publishes records as read.</param>
public sealed record IntegrationDefinition(
    string Name,
    string ConnectorId,
    JsonElement? Configuration = null,
    string? CredentialId = null,
    string? Stream = null,
    string? Schedule = null,
    bool? Enabled = null,
    string? Topic = null,
    JsonElement? Mapping = null);

/// <summary>The values of <see cref="Integration.Status"/>.</summary>
public static class IntegrationStatus
{
    public const string Active = "active";
    public const string Disabled = "disabled";
    public const string Error = "error";

    /// <summary>Every status, for filters.</summary>
    public static IReadOnlyList<string> All { get; } = [Active, Disabled, Error];
}

/// <summary>
/// A tenant's integrations: every definition is validated as a whole before it is stored — the
/// configuration against the connector's schema, the credential (same tenant, same connector), the
/// stream, the schedule, the topic and the mapping — and every error is reported at once, named by field.
/// </summary>
public sealed partial class IntegrationService(
    IntegrationStore integrations,
    CredentialStore credentials,
    IConnectorCatalog catalog,
    TimeProvider time,
    ILogger<IntegrationService> logger)
{
    /// <summary>The resource name in messages.</summary>
    public const string Kind = "Integration";

    private static readonly ResourceRefusals Refuse = new(Kind);

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    /// <summary>Validates and stores a new integration.</summary>
    /// <exception cref="ValidationFailedException">Any field is invalid; every error is listed.</exception>
    public async Task<Integration> CreateAsync(string tenantId, IntegrationDefinition definition, CancellationToken cancellationToken)
    {
        var valid = await ValidateAsync(tenantId, definition, existing: null, cancellationToken);
        var now = time.GetUtcNow();
        var created = await integrations.CreateAsync(
            Apply(new Integration { Id = ResourceIds.New("int"), TenantId = tenantId, Name = definition.Name, ConnectorId = valid.ConnectorId, Stream = valid.Stream, CreatedAt = now }, definition, valid, now),
            cancellationToken);
        Logs.IntegrationCreated(logger, tenantId, created.Id, created.ConnectorId, created.Stream);
        return created;
    }

    /// <summary>
    /// Validates <paramref name="definition"/> exactly as <see cref="CreateAsync"/> does and answers the
    /// integration it would create, without storing anything (id <c>preview</c>, no cursor): what a preview reads with.
    /// </summary>
    /// <exception cref="ValidationFailedException">Any field is invalid; every error is listed.</exception>
    public async Task<Integration> DraftAsync(string tenantId, IntegrationDefinition definition, CancellationToken cancellationToken)
    {
        var valid = await ValidateAsync(tenantId, definition, existing: null, cancellationToken);
        var now = time.GetUtcNow();
        return Apply(new Integration { Id = "preview", TenantId = tenantId, Name = definition.Name, ConnectorId = valid.ConnectorId, Stream = valid.Stream, CreatedAt = now }, definition, valid, now);
    }

    /// <summary>An integration.</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such integration.</exception>
    public async Task<Integration> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        await Refuse.FoundAsync(integrations.GetAsync(tenantId, id, cancellationToken), id);

    /// <summary>A page of the tenant's integrations, newest first, filtered by connector and status when given.</summary>
    /// <exception cref="ValidationFailedException"><paramref name="status"/> is not one of <see cref="IntegrationStatus.All"/>.</exception>
    public Task<Page<Integration>> ListAsync(string tenantId, string? connectorId, string? status, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        if (status is not null && !IntegrationStatus.All.Contains(status))
        {
            throw new ValidationFailedException("status", $"must be one of: {string.Join(", ", IntegrationStatus.All)}.");
        }

        return integrations.ListAsync(tenantId, connectorId, status, limit, continuationToken, cancellationToken);
    }

    /// <summary>
    /// Replaces the definition (validated as on create). The connector and the stream cannot change: the
    /// stored cursor belongs to them; create a new integration instead.
    /// </summary>
    /// <exception cref="StaleVersionException">The <c>ifMatch</c> ETag (the version the caller last read; null: no condition) is not the current version.</exception>
    public async Task<Integration> ReplaceAsync(string tenantId, string id, IntegrationDefinition definition, string? ifMatch, CancellationToken cancellationToken)
    {
        var existing = Refuse.AtVersion(await GetAsync(tenantId, id, cancellationToken), id, ifMatch);

        var valid = await ValidateAsync(tenantId, definition, existing, cancellationToken);
        var replaced = await integrations.ReplaceAsync(Apply(existing, definition, valid, time.GetUtcNow()), cancellationToken);
        Logs.IntegrationUpdated(logger, tenantId, id);
        return replaced;
    }

    /// <summary>Deletes an integration and its run state.</summary>
    public async Task DeleteAsync(string tenantId, string id, string? ifMatch, CancellationToken cancellationToken)
    {
        var existing = Refuse.AtVersion(await GetAsync(tenantId, id, cancellationToken), id, ifMatch);

        await Refuse.DeletedAsync(integrations.DeleteAsync(tenantId, id, existing.ETag, cancellationToken), id);

        Logs.IntegrationDeleted(logger, tenantId, id);
    }

    private static Integration Apply(Integration target, IntegrationDefinition definition, ValidDefinition valid, DateTimeOffset now)
    {
        var enabled = definition.Enabled ?? true;
        return target with
        {
            Name = definition.Name,
            ConnectorId = valid.ConnectorId,
            Configuration = valid.Configuration,
            CredentialId = definition.CredentialId,
            Stream = valid.Stream,
            Schedule = definition.Schedule?.Trim(),
            Enabled = enabled,
            Topic = definition.Topic,
            Mapping = valid.Mapping,

            // A disabled integration shows as disabled; enabling one keeps a failed last run visible.
            Status = !enabled ? IntegrationStatus.Disabled : target.Status == IntegrationStatus.Error ? IntegrationStatus.Error : IntegrationStatus.Active,
            UpdatedAt = now,
        };
    }

    private async Task<ValidDefinition> ValidateAsync(string tenantId, IntegrationDefinition definition, Integration? existing, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];

        if (string.IsNullOrWhiteSpace(definition.Name) || definition.Name.Length > 200)
        {
            Add("name", "must be 1 to 200 characters.");
        }

        var connector = catalog.Find(definition.ConnectorId);
        if (connector is null)
        {
            Add("connectorId", $"There is no connector '{definition.ConnectorId}'; GET /api/v1/integrations/available lists them.");
        }
        else if (existing is not null && !string.Equals(existing.ConnectorId, connector.Descriptor.Id, StringComparison.Ordinal))
        {
            Add("connectorId", $"cannot change from '{existing.ConnectorId}': the integration's cursor belongs to it. Create a new integration instead.");
        }

        var configuration = definition.Configuration is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } given ? given.Clone() : EmptyObject;
        string? stream = null;
        if (connector is not null)
        {
            var descriptor = connector.Descriptor;
            foreach (var (field, messages) in FieldErrors.Under("configuration", ConnectorConfigurationValidator.ValidateConfiguration(descriptor, configuration)))
            {
                errors[field] = messages;
            }

            stream = definition.Stream ?? existing?.Stream ?? (descriptor.Streams.Count > 0 ? descriptor.Streams[0].Name : null);
            if (stream is null || !descriptor.HasStream(stream))
            {
                Add("stream", $"must be one of the {descriptor.DisplayName} connector's streams: {string.Join(", ", descriptor.Streams.Select(s => s.Name))}.");
            }
            else if (existing is not null && !string.Equals(existing.Stream, stream, StringComparison.Ordinal))
            {
                Add("stream", $"cannot change from '{existing.Stream}': the integration's cursor belongs to it. Create a new integration instead.");
            }

            await ValidateCredentialAsync(tenantId, connector, configuration, definition.CredentialId, Add, cancellationToken);
        }

        // Absent (null) means on demand only; anything given, blank included, must be a schedule that can fire.
        if (definition.Schedule is not null && !IntegrationSchedule.TryParse(definition.Schedule, out _, out var scheduleError))
        {
            Add("schedule", $"is not a valid NCRONTAB schedule: {scheduleError}");
        }

        if (definition.Topic is not null && !TopicPattern().IsMatch(definition.Topic))
        {
            Add("topic", "must be a short topic name (letters, digits, '.', '_', '-') or persistent://tenant/namespace/topic.");
        }

        JsonElement? mapping = definition.Mapping is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } m ? m.Clone() : null;
        if (mapping is { } toCompile && !RecordMapping.TryCompile(toCompile, "mapping", out _, out var mappingErrors))
        {
            foreach (var (field, messages) in mappingErrors)
            {
                errors[field] = messages;
            }
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        return new ValidDefinition(connector!.Descriptor.Id, configuration, stream!, mapping);
    }

    // The connector decides whether this configuration needs a credential (the REST source with auth none does not).
    private async Task ValidateCredentialAsync(string tenantId, IConnector connector, JsonElement configuration, string? credentialId, Action<string, string> add, CancellationToken cancellationToken)
    {
        var descriptor = connector.Descriptor;
        if (credentialId is null)
        {
            if (connector.RequiresCredential(configuration))
            {
                add("credentialId", $"is required: the {descriptor.DisplayName} connector needs a credential with this configuration (POST /api/v1/credentials).");
            }

            return;
        }

        if (!CredentialService.NeedsCredential(descriptor))
        {
            add("credentialId", $"must be absent: the {descriptor.DisplayName} connector takes no credential.");
            return;
        }

        var credential = await credentials.GetAsync(tenantId, credentialId, cancellationToken);
        if (credential is null)
        {
            add("credentialId", $"There is no credential '{credentialId}'.");
        }
        else if (!string.Equals(credential.ConnectorId, descriptor.Id, StringComparison.OrdinalIgnoreCase))
        {
            add("credentialId", $"Credential '{credentialId}' is for connector '{credential.ConnectorId}', not '{descriptor.Id}'.");
        }
    }

    [GeneratedRegex("^(persistent://[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/)?[A-Za-z0-9._-]{1,200}$", RegexOptions.CultureInvariant)]
    private static partial Regex TopicPattern();

    private sealed record ValidDefinition(string ConnectorId, JsonElement Configuration, string Stream, JsonElement? Mapping);
}
