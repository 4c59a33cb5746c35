using System.Security.Cryptography;
using IntegrationHub.Secrets.Vault;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Secrets.Local;

/// <summary>
/// The local store's AES-256 key, resolved once: from <c>Secrets__LocalKey</c>, or in Development from
/// (or into) the generated key file. Its <see cref="KeyId"/> (a hash prefix, never the key) is stored
/// with each ciphertext so a key change is reported as such rather than as tampering.
/// </summary>
internal sealed class LocalSecretKey
{
    private readonly byte[] _key;

    private LocalSecretKey(byte[] key)
    {
        _key = key;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 8));
    }

    /// <summary>Identifies the key without revealing it: the first 8 bytes of its SHA-256, in hex.</summary>
    public string KeyId { get; }

    public ReadOnlySpan<byte> Bytes => _key;

    public override string ToString() => $"LocalSecretKey {{ KeyId = {KeyId} }}";

    /// <summary>Parses a configured key; null with a reason when it is not base64 of 32 bytes.</summary>
    public static LocalSecretKey? TryParse(string? base64, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(base64))
        {
            problem = "is empty";
            return null;
        }

        var buffer = new byte[64];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var written) || written != 32)
        {
            problem = "must be base64 of exactly 32 bytes (generate one with 'openssl rand -base64 32')";
            return null;
        }

        return new LocalSecretKey(buffer[..32]);
    }

    /// <summary>Resolves the key for the running host. Throws <see cref="InvalidOperationException"/> naming <c>Secrets__LocalKey</c> when there is none to be had.</summary>
    public static LocalSecretKey Resolve(LocalSecretOptions settings, IHostEnvironment environment, ILogger logger)
    {
        if (!string.IsNullOrWhiteSpace(settings.LocalKey))
        {
            return TryParse(settings.LocalKey, out var problem)
                ?? throw new InvalidOperationException($"Setting Secrets__LocalKey {problem}.");
        }

        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(MissingKeyMessage);
        }

        var file = settings.EffectiveDevelopmentKeyFile;
        if (File.Exists(file))
        {
            var existing = TryParse(File.ReadAllText(file), out var problem)
                ?? throw new InvalidOperationException($"The Development secret key file '{file}' {problem}; delete it to generate a new one (secrets stored with the old key are then lost).");
            Logs.LocalKeyFromDevelopmentFile(logger, file, existing.KeyId);
            return existing;
        }

        var generated = new LocalSecretKey(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Readable by the developer's account only.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(new FileStream(file, options)))
        {
            writer.Write(Convert.ToBase64String(generated._key));
        }

        Logs.LocalKeyGenerated(logger, file, generated.KeyId);
        return generated;
    }

    /// <summary>The one start-up error outside Development with neither Vault nor a key.</summary>
    public const string MissingKeyMessage =
        "Setting Secrets__LocalKey is required: Vault is not configured (Vault__Address is empty), so credentials' secrets are kept in the local store, encrypted with this key (base64 of 32 bytes; 'openssl rand -base64 32'). Outside Development the hub does not generate one.";
}

/// <summary>Fails start-up (ValidateOnStart) when the local store would have no key: not Development, no Vault, no <c>Secrets__LocalKey</c>, or a malformed one.</summary>
internal sealed class LocalSecretOptionsValidator(IHostEnvironment environment, IOptions<VaultOptions> vault) : IValidateOptions<LocalSecretOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalSecretOptions options)
    {
        if (vault.Value.IsConfigured)
        {
            return ValidateOptionsResult.Success;
        }

        if (string.IsNullOrWhiteSpace(options.LocalKey))
        {
            return environment.IsDevelopment() ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(LocalSecretKey.MissingKeyMessage);
        }

        return LocalSecretKey.TryParse(options.LocalKey, out var problem) is null
            ? ValidateOptionsResult.Fail($"Setting Secrets__LocalKey {problem}.")
            : ValidateOptionsResult.Success;
    }
}
