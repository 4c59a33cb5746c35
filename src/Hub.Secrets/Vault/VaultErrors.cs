namespace IntegrationHub.Secrets.Vault;

/// <summary>Vault answered with an error, or did not answer. The message names the host, the operation and the status, never a secret.</summary>
public class VaultException : SecretStoreException
{
    public VaultException()
    {
    }

    public VaultException(string message)
        : base(message)
    {
    }

    public VaultException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Vault is sealed (503): nothing can be read or written until an operator unseals it.</summary>
public sealed class VaultSealedException : VaultException
{
    public VaultSealedException()
    {
    }

    public VaultSealedException(string message)
        : base(message)
    {
    }

    public VaultSealedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Vault refused the hub's token (403): the policy does not grant the path, or the token is no longer valid after a fresh login.</summary>
public sealed class VaultPermissionDeniedException : VaultException
{
    public VaultPermissionDeniedException()
    {
    }

    public VaultPermissionDeniedException(string message)
        : base(message)
    {
    }

    public VaultPermissionDeniedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Logging in to Vault failed: wrong AppRole ids, a JWT the role does not accept, an expired static token.</summary>
public sealed class VaultLoginException : VaultException
{
    public VaultLoginException()
    {
    }

    public VaultLoginException(string message)
        : base(message)
    {
    }

    public VaultLoginException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
