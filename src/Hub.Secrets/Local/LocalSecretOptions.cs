namespace IntegrationHub.Secrets.Local;

/// <summary>The local secret store's key. Section <c>Secrets</c>; app settings <c>Secrets__*</c>.</summary>
/// <remarks>
/// Used only when Vault is not configured. Outside Development the hub refuses to start without
/// <see cref="LocalKey"/>. In Development a missing key is generated once and kept in
/// <see cref="DevelopmentKeyFile"/> (by default <c>~/.integrationhub/local-secrets.key</c>, outside the
/// repository so it is never committed, and stable across restarts so stored secrets stay readable).
/// </remarks>
public sealed class LocalSecretOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Secrets";

    /// <summary>The AES-256 key: base64 of exactly 32 random bytes (<c>openssl rand -base64 32</c>).</summary>
    public string? LocalKey { get; set; }

    /// <summary>Where Development keeps its generated key. Empty: <c>~/.integrationhub/local-secrets.key</c>.</summary>
    public string? DevelopmentKeyFile { get; set; }

    /// <summary>The Development key file actually used.</summary>
    public string EffectiveDevelopmentKeyFile => string.IsNullOrWhiteSpace(DevelopmentKeyFile)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".integrationhub", "local-secrets.key")
        : DevelopmentKeyFile;
}
