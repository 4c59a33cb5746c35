namespace IntegrationHub.Secrets;

/// <summary>
/// Where credentials' secret values live: HashiCorp Vault when <c>Vault__Address</c> is set, otherwise
/// the local AES-GCM store in Cosmos DB. The API and the run engine only see this seam.
/// </summary>
/// <remarks>
/// Every write is check-and-set: a create succeeds only when nothing is stored for the credential, an
/// update only at the version the caller read. Two writers racing (two token refreshes, an operator
/// rotating a key while a run refreshes it) therefore never overwrite each other silently: the loser
/// gets a <see cref="SecretVersionConflictException"/> and re-reads.
/// </remarks>
public interface ISecretStore
{
    /// <summary>Which store this is, for health and messages: <c>vault</c> or <c>local</c>.</summary>
    string Kind { get; }

    /// <summary>Stores the first version of a credential's values. <see cref="SecretAlreadyExistsException"/> when something is already stored (even soft-deleted).</summary>
    /// <returns>The new version (1 for a new credential).</returns>
    Task<long> CreateAsync(string tenantId, string credentialId, SecretValues values, CancellationToken cancellationToken);

    /// <summary>Stores a new version if the current one is still <paramref name="expectedVersion"/>; otherwise <see cref="SecretVersionConflictException"/>.</summary>
    /// <returns>The new version.</returns>
    Task<long> UpdateAsync(string tenantId, string credentialId, SecretValues values, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>The current values and their version, or null when none are stored or the latest version was deleted.</summary>
    Task<StoredSecret?> ReadAsync(string tenantId, string credentialId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a credential's values. <paramref name="destroy"/> false is a soft delete (Vault keeps the
    /// version and it can be undeleted; the local store keeps the ciphertext); true removes every version
    /// and the metadata for good. Deleting what is not there is not an error.
    /// </summary>
    Task DeleteAsync(string tenantId, string credentialId, bool destroy, CancellationToken cancellationToken);
}
