using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Secrets.Vault;

/// <summary>How the hub reaches HashiCorp Vault. Section <c>Vault</c>; app settings <c>Vault__*</c>.</summary>
/// <remarks>
/// A credential's values live in the KV v2 engine at
/// <c>{KvMount}/data/{PathPrefix}/tenants/{tenantId}/credentials/{credentialId}</c> — with the defaults,
/// <c>secret/data/integrationhub/tenants/acme/credentials/github-main</c>. A Vault policy can therefore
/// grant the hub <c>integrationhub/*</c> and nothing else, and an operator finds a tenant's secrets under one folder.
/// </remarks>
public sealed class VaultOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Vault";

    /// <summary>Vault's address, e.g. <c>https://vault.example.com:8200</c>. Empty: Vault is not used and secrets go to the local store.</summary>
    public string? Address { get; set; }

    /// <summary>The Vault Enterprise / HCP namespace sent as <c>X-Vault-Namespace</c>, or empty for none.</summary>
    public string? Namespace { get; set; }

    /// <summary>The mount path of the KV version 2 secrets engine.</summary>
    [Required]
    public string KvMount { get; set; } = "secret";

    /// <summary>The folder under the mount that holds the hub's secrets.</summary>
    [Required]
    public string PathPrefix { get; set; } = "integrationhub";

    /// <summary>How the hub logs in: <c>token</c>, <c>approle</c>, <c>azure</c> or <c>kubernetes</c>.</summary>
    [Required]
    [RegularExpression("^(token|approle|azure|kubernetes)$", ErrorMessage = "the auth method is one of token, approle, azure, kubernetes.")]
    public string AuthMethod { get; set; } = "token";

    /// <summary>The token for <c>token</c> auth.</summary>
    public string? Token { get; set; }

    /// <summary>The AppRole role id for <c>approle</c> auth.</summary>
    public string? RoleId { get; set; }

    /// <summary>The AppRole secret id for <c>approle</c> auth.</summary>
    public string? SecretId { get; set; }

    /// <summary>Where the auth method is mounted, without <c>auth/</c>. Empty: the method's name (<c>approle</c>, <c>azure</c>, <c>kubernetes</c>).</summary>
    public string? AuthMount { get; set; }

    /// <summary>The Vault role to log in as, for <c>azure</c> and <c>kubernetes</c> auth.</summary>
    public string? Role { get; set; }

    /// <summary>The service-account token file for <c>kubernetes</c> auth; read again at every login because Kubernetes rotates it.</summary>
    public string KubernetesJwtPath { get; set; } = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    /// <summary>The resource (audience) of the managed-identity token for <c>azure</c> auth; it must match the <c>resource</c> configured on Vault's azure auth method.</summary>
    public string AzureResource { get; set; } = "https://management.azure.com/";

    /// <summary>The client id of a user-assigned managed identity for <c>azure</c> auth; empty for the system-assigned one.</summary>
    public string? AzureClientId { get; set; }

    /// <summary>Sent as <c>subscription_id</c> on <c>azure</c> login, when the role binds to it.</summary>
    public string? AzureSubscriptionId { get; set; }

    /// <summary>Sent as <c>resource_group_name</c> on <c>azure</c> login.</summary>
    public string? AzureResourceGroupName { get; set; }

    /// <summary>Sent as <c>vm_name</c> on <c>azure</c> login.</summary>
    public string? AzureVmName { get; set; }

    /// <summary>Sent as <c>vmss_name</c> on <c>azure</c> login.</summary>
    public string? AzureVmssName { get; set; }

    /// <summary>Sent as <c>resource_id</c> on <c>azure</c> login (App Service, Functions: the app's resource id).</summary>
    public string? AzureResourceId { get; set; }

    /// <summary>Timeout of one request to Vault.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether Vault is configured at all.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Address);

    /// <summary>The auth mount actually used.</summary>
    public string EffectiveAuthMount => string.IsNullOrWhiteSpace(AuthMount) ? AuthMethod : AuthMount.Trim('/');

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (!Uri.TryCreate(Address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult($"'{Address}' is not an http(s) URL.", [nameof(Address)]);
        }

        switch (AuthMethod)
        {
            case "token" when string.IsNullOrWhiteSpace(Token):
                yield return new ValidationResult("token auth needs a Vault token.", [nameof(Token)]);
                break;
            case "approle" when string.IsNullOrWhiteSpace(RoleId) || string.IsNullOrWhiteSpace(SecretId):
                yield return new ValidationResult("approle auth needs a role id and a secret id.", [nameof(RoleId), nameof(SecretId)]);
                break;
            case "azure" or "kubernetes" when string.IsNullOrWhiteSpace(Role):
                yield return new ValidationResult($"{AuthMethod} auth needs the Vault role to log in as.", [nameof(Role)]);
                break;
        }
    }
}
