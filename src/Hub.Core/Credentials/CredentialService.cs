using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Secrets;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Core.Credentials;

/// <summary>
/// A tenant's credentials: the secret values in the <see cref="ISecretStore"/>, the metadata (connector,
/// name, masked hints, secret version, last check) in the <see cref="CredentialStore"/>. The API and the
/// run engine both go through here, so the two halves never drift apart.
/// </summary>
/// <remarks>
/// <para>Create writes the secret first (check-and-set 0) and then the metadata; when the metadata write
/// fails the secret is deleted again, so nothing is left half-created. Rotation is a check-and-set update
/// of the secret at the version the metadata records, then the metadata.</para>
/// <para>Values are validated against the connector's credential record before anything is stored;
/// errors name <c>values.&lt;field&gt;</c> and never echo a value.</para>
/// </remarks>
public sealed class CredentialService(
    CredentialStore credentials,
    IntegrationStore integrations,
    ISecretStore secrets,
    IConnectorCatalog catalog,
    TimeProvider time,
    ILogger<CredentialService> logger)
{
    /// <summary>The resource name in messages.</summary>
    public const string Kind = "Credential";

    private static readonly ResourceRefusals Refuse = new(Kind);

    private const int MetadataWriteAttempts = 5;
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    /// <summary>Validates <paramref name="values"/> against the connector's credential schema, stores them and the metadata.</summary>
    /// <exception cref="ValidationFailedException">Unknown connector, a connector without credentials, or invalid values.</exception>
    public async Task<Credential> CreateAsync(string tenantId, string connectorId, string name, JsonElement values, CancellationToken cancellationToken)
    {
        var connector = catalog.Find(connectorId) ?? throw new ValidationFailedException("connectorId", $"There is no connector '{connectorId}'; GET /api/v1/integrations/available lists them.");
        if (!NeedsCredential(connector.Descriptor))
        {
            throw new ValidationFailedException("connectorId", $"The {connector.Descriptor.DisplayName} connector takes no credential.");
        }

        var secret = ValidateValues(connector.Descriptor, values);
        var id = ResourceIds.New("cred");
        var version = await secrets.CreateAsync(tenantId, id, secret, cancellationToken);
        var now = time.GetUtcNow();
        try
        {
            var created = await credentials.CreateAsync(
                new Credential
                {
                    Id = id,
                    TenantId = tenantId,
                    ConnectorId = connector.Descriptor.Id,
                    Name = name,
                    SecretVersion = version,
                    Masked = secret.Masked(),
                    CreatedAt = now,
                    RotatedAt = now,
                },
                cancellationToken);
            Logs.CredentialCreated(logger, tenantId, id, created.ConnectorId, version);
            return created;
        }
        catch (Exception e)
        {
            try
            {
                await secrets.DeleteAsync(tenantId, id, destroy: true, CancellationToken.None);
                Logs.CredentialCreateRolledBack(logger, tenantId, id, e);
            }
            catch (SecretStoreException cleanup)
            {
                // The caller still gets the metadata failure; the operator gets the ids of what is left.
                Logs.CredentialSecretLeft(logger, tenantId, id, secrets.Kind, cleanup);
            }

            throw;
        }
    }

    /// <summary>A credential's metadata.</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such credential.</exception>
    public async Task<Credential> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        await Refuse.FoundAsync(credentials.GetAsync(tenantId, id, cancellationToken), id);

    /// <summary>A page of the tenant's credentials, newest first.</summary>
    public Task<Page<Credential>> ListAsync(string tenantId, string? connectorId, int limit, string? continuationToken, CancellationToken cancellationToken) =>
        credentials.ListAsync(tenantId, connectorId, limit, continuationToken, cancellationToken);

    /// <summary>
    /// Replaces the values (and optionally the name): a check-and-set write of the secret at the version
    /// the metadata records, then the metadata (rotated now, masked hints, status back to active).
    /// </summary>
    /// <exception cref="StaleVersionException">The <c>ifMatch</c> ETag (the metadata version the caller last read; null: no condition) is not the current version.</exception>
    /// <exception cref="ResourceConflictException">Another writer changed the secret since the metadata was written.</exception>
    public async Task<Credential> RotateAsync(string tenantId, string id, JsonElement values, string? name, string? ifMatch, CancellationToken cancellationToken)
    {
        var credential = Refuse.AtVersion(await GetAsync(tenantId, id, cancellationToken), id, ifMatch);

        var secret = ValidateValues(ConnectorOf(credential).Descriptor, values);
        long version;
        try
        {
            version = await secrets.UpdateAsync(tenantId, id, secret, credential.SecretVersion, cancellationToken);
        }
        catch (SecretVersionConflictException e)
        {
            throw new ResourceConflictException($"The secret of credential '{id}' was changed by another writer since it was read.", "Read the credential again (GET) and retry the rotation.", e);
        }

        var rotatedAt = time.GetUtcNow();
        var masked = secret.Masked();
        var rotated = await UpdateMetadataAsync(
            credential,
            c => c with { Name = name ?? c.Name, SecretVersion = version, Masked = masked, RotatedAt = rotatedAt, Status = CredentialStatus.Active },
            cancellationToken);
        Logs.CredentialRotated(logger, tenantId, id, version);
        return rotated;
    }

    /// <summary>Deletes the metadata and destroys the secret. Refused while an integration of the tenant uses the credential.</summary>
    /// <exception cref="ResourceConflictException">An integration uses it; the message names it.</exception>
    public async Task DeleteAsync(string tenantId, string id, string? ifMatch, CancellationToken cancellationToken)
    {
        var credential = Refuse.AtVersion(await GetAsync(tenantId, id, cancellationToken), id, ifMatch);

        var users = await integrations.UsingCredentialAsync(tenantId, id, 5, cancellationToken);
        if (users.Count > 0)
        {
            throw new ResourceConflictException(
                $"Credential '{id}' is used by {string.Join(", ", users.Select(i => $"integration '{i.Name}' ({i.Id})"))}.",
                "Point those integrations at another credential, or delete them, first.");
        }

        await Refuse.DeletedAsync(credentials.DeleteAsync(tenantId, id, credential.ETag, cancellationToken), id);

        // The metadata is gone: the credential no longer exists for anyone. A secret that cannot be
        // destroyed now is unreachable but still stored; say so loudly, with ids, for an operator.
        try
        {
            await secrets.DeleteAsync(tenantId, id, destroy: true, CancellationToken.None);
        }
        catch (SecretStoreException e)
        {
            Logs.CredentialSecretLeft(logger, tenantId, id, secrets.Kind, e);
        }

        Logs.CredentialDeleted(logger, tenantId, id);
    }

    /// <summary>
    /// Runs the connector's connection check with the stored values and <paramref name="configuration"/>
    /// (<c>{}</c> when absent), records it as the credential's last check and returns it. A refused
    /// connection is a failed check, not an error.
    /// </summary>
    /// <exception cref="ValidationFailedException">The configuration is invalid for the connector (fields named <c>configuration.&lt;path&gt;</c>).</exception>
    public async Task<CredentialCheck> CheckAsync(string tenantId, string id, JsonElement? configuration, CancellationToken cancellationToken)
    {
        var credential = await GetAsync(tenantId, id, cancellationToken);
        var connector = ConnectorOf(credential);
        var json = configuration is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } given ? given : EmptyObject;
        var errors = ConnectorConfigurationValidator.ValidateConfiguration(connector.Descriptor, json);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(FieldErrors.Under("configuration", errors));
        }

        var values = await ReadValuesAsync(tenantId, id, cancellationToken);
        ConnectionCheck result;
        try
        {
            result = await connector.CheckAsync(
                new ConnectorContext { TenantId = tenantId, CredentialId = id, Configuration = json, Credentials = values },
                cancellationToken);
        }
        catch (ConnectorException e)
        {
            // Stored values that no longer fit the connector's record, a refused destination: the check failed.
            result = ConnectionCheck.Failure(e.Message);
        }

        var check = new CredentialCheck(time.GetUtcNow(), result.Succeeded, result.Message);
        await UpdateMetadataAsync(credential, c => c with { LastCheck = check }, cancellationToken);
        Logs.CredentialChecked(logger, tenantId, id, connector.Descriptor.Id, check.Succeeded);
        return check;
    }

    /// <summary>The decrypted values, for a connector call. Never log or return them.</summary>
    /// <exception cref="ResourceConflictException">The secret store holds nothing for the credential.</exception>
    public async Task<SecretValues> ReadValuesAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        var stored = await secrets.ReadAsync(tenantId, id, cancellationToken)
            ?? throw new ResourceConflictException($"Credential '{id}' has no secret stored in the {secrets.Kind} secret store.", "Rotate it (PUT) with its values.");
        return stored.Values;
    }

    /// <summary>Marks the credential <c>needs_reauth</c> (an OAuth refresh was refused: <c>ReauthorizationRequiredException</c>); a rotation makes it active again.</summary>
    public async Task MarkNeedsReauthAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        var credential = await GetAsync(tenantId, id, cancellationToken);
        await UpdateMetadataAsync(credential, c => c with { Status = CredentialStatus.NeedsReauth }, cancellationToken);
        Logs.CredentialNeedsReauth(logger, tenantId, id);
    }

    /// <summary>Whether a connector takes a credential at all (for some configuration); whether one configuration needs it is <see cref="IConnector.RequiresCredential"/>.</summary>
    public static bool NeedsCredential(ConnectorDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return descriptor.Credential != CredentialRequirement.None && descriptor.CredentialType != typeof(NoCredential) && descriptor.CredentialType != typeof(object);
    }

    private IConnector ConnectorOf(Credential credential) =>
        catalog.Find(credential.ConnectorId)
        ?? throw new ResourceConflictException($"Credential '{credential.Id}' belongs to connector '{credential.ConnectorId}', which this hub no longer offers.");

    private static SecretValues ValidateValues(ConnectorDescriptor descriptor, JsonElement values)
    {
        if (values.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationFailedException("values", "must be an object of field names to values, as the connector's credentialSchema describes.");
        }

        var errors = ConnectorConfigurationValidator.Validate(descriptor.CredentialType, values);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(FieldErrors.Under("values", errors));
        }

        return SecretValues.From(values.EnumerateObject()
            .Where(p => p.Value.ValueKind != JsonValueKind.Null)
            .Select(p => KeyValuePair.Create(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())));
    }

    // The metadata is written after a secret write that cannot be undone: re-read and re-apply on a lost race
    // (a concurrent check recording its result), so the metadata always ends up describing the stored secret.
    private async Task<Credential> UpdateMetadataAsync(Credential credential, Func<Credential, Credential> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await credentials.ReplaceAsync(change(credential), cancellationToken);
            }
            catch (ConcurrencyConflictException) when (attempt < MetadataWriteAttempts)
            {
                credential = await GetAsync(credential.TenantId, credential.Id, cancellationToken);
            }
        }
    }
}
