using System.Text.RegularExpressions;

namespace IntegrationHub.Secrets;

/// <summary>
/// Checks the tenant and credential ids that become part of a secret's location, so an id can never
/// climb out of its tenant's folder (<c>..</c>, <c>/</c>) or smuggle a query string into a Vault URL.
/// </summary>
internal static partial class SecretPath
{
    /// <summary>Throws <see cref="ArgumentException"/> unless both ids are 1–128 letters, digits, '-', '_' or '.', and not '.' or '..'.</summary>
    public static void Validate(string tenantId, string credentialId)
    {
        Check(tenantId, nameof(tenantId));
        Check(credentialId, nameof(credentialId));
    }

    private static void Check(string id, string parameter)
    {
        ArgumentNullException.ThrowIfNull(id, parameter);
        if (!IdPattern().IsMatch(id) || id is "." or "..")
        {
            throw new ArgumentException($"'{id}' is not a valid id: use 1-128 letters, digits, '-', '_' or '.'.", parameter);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
