using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IntegrationHub.Secrets.Local;

/// <summary>
/// Encrypts a credential's values with AES-256-GCM: a fresh random 12-byte nonce per write, a 16-byte
/// tag, and associated data binding the ciphertext to its tenant, credential and version — a ciphertext
/// copied to another credential (or rolled back to an older version) fails to decrypt.
/// </summary>
internal sealed class AesGcmSealer(LocalSecretKey key)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public string KeyId => key.KeyId;

    public (string Nonce, string Ciphertext, string Tag) Seal(string tenantId, string credentialId, long version, SecretValues values)
    {
        var plaintext = new ArrayBufferWriter<byte>(256);
        try
        {
            using (var writer = new Utf8JsonWriter(plaintext))
            {
                values.WriteRevealed(writer);
            }

            var nonce = RandomNumberGenerator.GetBytes(NonceSize);
            var ciphertext = new byte[plaintext.WrittenCount];
            var tag = new byte[TagSize];
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Encrypt(nonce, plaintext.WrittenSpan, ciphertext, tag, AssociatedData(tenantId, credentialId, version));
            return (Convert.ToBase64String(nonce), Convert.ToBase64String(ciphertext), Convert.ToBase64String(tag));
        }
        finally
        {
            plaintext.Clear();
        }
    }

    public SecretValues Open(SecretDocument document)
    {
        if (!string.Equals(document.KeyId, key.KeyId, StringComparison.Ordinal))
        {
            throw new SecretIntegrityException(
                $"The stored secret of credential '{document.Id}' in tenant '{document.TenantId}' was encrypted under key id {document.KeyId}, but the configured Secrets__LocalKey has key id {key.KeyId}; configure the key it was written with.");
        }

        byte[] nonce, ciphertext, tag;
        try
        {
            nonce = Convert.FromBase64String(document.Nonce);
            ciphertext = Convert.FromBase64String(document.Ciphertext);
            tag = Convert.FromBase64String(document.Tag);
        }
        catch (FormatException e)
        {
            throw new SecretIntegrityException($"The stored secret of credential '{document.Id}' in tenant '{document.TenantId}' is malformed (not base64).", e);
        }

        if (nonce.Length != NonceSize || tag.Length != TagSize)
        {
            throw new SecretIntegrityException($"The stored secret of credential '{document.Id}' in tenant '{document.TenantId}' is malformed (nonce or tag size).");
        }

        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, AssociatedData(document.TenantId, document.Id, document.Version));
            using var json = JsonDocument.Parse(plaintext);
            return SecretValues.ReadObject(json.RootElement);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new SecretIntegrityException(
                $"The stored secret of credential '{document.Id}' in tenant '{document.TenantId}' (version {document.Version}) failed its integrity check: it was altered, or belongs to another credential or version.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] AssociatedData(string tenantId, string credentialId, long version) =>
        Encoding.UTF8.GetBytes(FormattableString.Invariant($"integrationhub/secret/v1\n{tenantId}\n{credentialId}\n{version}"));
}
