using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Secrets.Local;

/// <summary>
/// <see cref="ISecretStore"/> for runs without Vault: values encrypted with AES-256-GCM (see
/// <see cref="AesGcmSealer"/>) in the Cosmos container <c>secrets</c> (partition <c>/tenantId</c>,
/// id = credential id). Check-and-set like Vault: the document carries a version counter, an update must
/// present the current one, and the write itself is conditional on the ETag read, so two updates racing
/// from the same version cannot both win.
/// </summary>
internal sealed class LocalSecretStore(HubCosmos cosmos, AesGcmSealer sealer, TimeProvider time) : ISecretStore
{
    /// <summary>The container name.</summary>
    public const string Container = "secrets";

    private DocumentSet<SecretDocument> Documents => cosmos.Documents<SecretDocument>(Container);

    public string Kind => "local";

    public async Task<long> CreateAsync(string tenantId, string credentialId, SecretValues values, CancellationToken cancellationToken)
    {
        SecretPath.Validate(tenantId, credentialId);
        try
        {
            await Documents.CreateAsync(Seal(tenantId, credentialId, 1, values), cancellationToken);
            return 1;
        }
        catch (DocumentExistsException e)
        {
            throw new SecretAlreadyExistsException($"Secret values of credential '{credentialId}' in tenant '{tenantId}' already exist in the local store.", e);
        }
    }

    public async Task<long> UpdateAsync(string tenantId, string credentialId, SecretValues values, long expectedVersion, CancellationToken cancellationToken)
    {
        SecretPath.Validate(tenantId, credentialId);
        var current = await Documents.ReadAsync(tenantId, credentialId, cancellationToken);
        if (current is null || current.Version != expectedVersion)
        {
            throw Conflict(tenantId, credentialId, expectedVersion, current is null ? "nothing is stored" : $"the current version is {current.Version}");
        }

        var next = Seal(tenantId, credentialId, expectedVersion + 1, values) with { ETag = current.ETag };
        try
        {
            await Documents.ReplaceAsync(next, cancellationToken);
            return next.Version;
        }
        catch (ConcurrencyConflictException e)
        {
            throw Conflict(tenantId, credentialId, expectedVersion, "another writer got there first", e);
        }
    }

    public async Task<StoredSecret?> ReadAsync(string tenantId, string credentialId, CancellationToken cancellationToken)
    {
        SecretPath.Validate(tenantId, credentialId);
        var document = await Documents.ReadAsync(tenantId, credentialId, cancellationToken);
        return document is null || document.Deleted ? null : new StoredSecret(sealer.Open(document), document.Version);
    }

    public async Task DeleteAsync(string tenantId, string credentialId, bool destroy, CancellationToken cancellationToken)
    {
        SecretPath.Validate(tenantId, credentialId);
        if (destroy)
        {
            await Documents.DeleteAsync(tenantId, credentialId, etag: null, cancellationToken);
            return;
        }

        // A soft delete races only with writers of the same document; three attempts settle any real contention.
        for (var attempt = 1; ; attempt++)
        {
            var document = await Documents.ReadAsync(tenantId, credentialId, cancellationToken);
            if (document is null || document.Deleted)
            {
                return;
            }

            try
            {
                await Documents.ReplaceAsync(document with { Deleted = true, UpdatedAt = time.GetUtcNow() }, cancellationToken);
                return;
            }
            catch (ConcurrencyConflictException) when (attempt < 3)
            {
            }
        }
    }

    private SecretDocument Seal(string tenantId, string credentialId, long version, SecretValues values)
    {
        var (nonce, ciphertext, tag) = sealer.Seal(tenantId, credentialId, version, values);
        return new SecretDocument
        {
            Id = credentialId,
            TenantId = tenantId,
            Version = version,
            KeyId = sealer.KeyId,
            Nonce = nonce,
            Ciphertext = ciphertext,
            Tag = tag,
            UpdatedAt = time.GetUtcNow(),
        };
    }

    private static SecretVersionConflictException Conflict(string tenantId, string credentialId, long expected, string reason, Exception? inner = null) =>
        new($"Secret values of credential '{credentialId}' in tenant '{tenantId}' are not at version {expected} ({reason}) in the local store; read them again.", inner);
}
