namespace IntegrationHub.Secrets;

/// <summary>
/// A secret store failed. Messages name the store, the tenant and credential (or host) and the status;
/// they never contain a secret value, so they can be logged and returned as problem details.
/// </summary>
public class SecretStoreException : Exception
{
    public SecretStoreException()
    {
    }

    public SecretStoreException(string message)
        : base(message)
    {
    }

    public SecretStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status the store answered with, when it is an HTTP service.</summary>
    public int? StatusCode { get; init; }
}

/// <summary>A check-and-set write lost: the stored version is not the one the caller presented. Re-read and decide again.</summary>
public class SecretVersionConflictException : SecretStoreException
{
    public SecretVersionConflictException()
    {
    }

    public SecretVersionConflictException(string message)
        : base(message)
    {
    }

    public SecretVersionConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A create found values already stored for the credential (a check-and-set of 0 failed).</summary>
public sealed class SecretAlreadyExistsException : SecretVersionConflictException
{
    public SecretAlreadyExistsException()
    {
    }

    public SecretAlreadyExistsException(string message)
        : base(message)
    {
    }

    public SecretAlreadyExistsException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A stored ciphertext did not decrypt under the configured key: a different key, a ciphertext moved
/// to another credential, or tampering. The values are not returned.
/// </summary>
public sealed class SecretIntegrityException : SecretStoreException
{
    public SecretIntegrityException()
    {
    }

    public SecretIntegrityException(string message)
        : base(message)
    {
    }

    public SecretIntegrityException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
