namespace IntegrationHub.Secrets;

/// <summary>A credential's secret values as stored, and the version an update must present.</summary>
/// <param name="Values">The values (masked in <see cref="object.ToString"/>).</param>
/// <param name="Version">The store's version of these values: Vault's KV v2 version, or the local store's counter. Starts at 1.</param>
public sealed record StoredSecret(SecretValues Values, long Version);
