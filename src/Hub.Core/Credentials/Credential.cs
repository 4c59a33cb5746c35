using System.Text.Json.Serialization;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Credentials;

/// <summary>Whether a credential can be used.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CredentialStatus>))]
public enum CredentialStatus
{
    /// <summary>Usable.</summary>
    [JsonStringEnumMemberName("active")]
    Active,

    /// <summary>An OAuth refresh was refused: a person must authorize again (rotate the credential).</summary>
    [JsonStringEnumMemberName("needs_reauth")]
    NeedsReauth,
}

/// <summary>The last connection check of a credential.</summary>
public sealed record CredentialCheck(DateTimeOffset At, bool Succeeded, string Message);

/// <summary>
/// A credential's metadata. The secret values live in the secret store (Vault, or the local AES-GCM
/// store) at a path derived from the tenant and credential ids; only masked hints are kept here.
/// </summary>
public sealed record Credential : TenantDocument
{
    /// <summary>The connector whose credential schema the values follow.</summary>
    public required string ConnectorId { get; init; }

    /// <summary>A human name, unique is not enforced.</summary>
    public required string Name { get; init; }

    /// <summary>What kind of secret this is (from the connector's credential schema), e.g. <c>api_token</c>, <c>oauth2</c>.</summary>
    public string Kind { get; init; } = "secret";

    /// <summary>Usable or not.</summary>
    public CredentialStatus Status { get; init; } = CredentialStatus.Active;

    /// <summary>The secret store's version of the values; rotation is check-and-set against it.</summary>
    public long SecretVersion { get; init; }

    /// <summary>Masked hints of each value (e.g. <c>xoxb…9f2c</c>), for people to recognise which secret is set.</summary>
    public IReadOnlyDictionary<string, string> Masked { get; init; } = new Dictionary<string, string>();

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its values last changed.</summary>
    public DateTimeOffset? RotatedAt { get; init; }

    /// <summary>The last connection check.</summary>
    public CredentialCheck? LastCheck { get; init; }
}
