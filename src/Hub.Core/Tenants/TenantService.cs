using System.Text.RegularExpressions;
using IntegrationHub.Core.Errors;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Tenants;

/// <summary>
/// Tenants and their API keys, as credentials and integrations are handled: input is validated here (every
/// error at once, named by field), a taken tenant id is a <see cref="ResourceConflictException"/>, and an
/// unknown tenant or key is a <see cref="ResourceNotFoundException"/>. A key's text is returned once, when it
/// is issued; only its hash is stored (<see cref="ApiKeyFormat"/>).
/// </summary>
public sealed partial class TenantService(TenantStore tenants)
{
    /// <summary>The resource name of a tenant in messages.</summary>
    public const string Kind = "Tenant";

    /// <summary>The resource name of a key in messages.</summary>
    public const string KeyKind = "API key";

    /// <summary>The rule for tenant ids (2 to 63 lower-case letters, digits or '-', not starting with '-'): they are part of every API key and partition key.</summary>
    public const string IdPattern = "^[a-z0-9][a-z0-9-]{1,62}$";

    /// <summary>What <see cref="IdPattern"/> says, in words.</summary>
    public const string IdRule = "must be 2-63 lower-case letters, digits or '-', starting with a letter or digit.";

    /// <summary>The longest display name and key name, in characters.</summary>
    public const int MaxNameLength = 200;

    private static readonly ResourceRefusals Refuse = new(Kind);
    private static readonly ResourceRefusals RefuseKey = new(KeyKind);

    /// <summary>Creates a tenant.</summary>
    /// <exception cref="ValidationFailedException">On <c>id</c> or <c>displayName</c>.</exception>
    /// <exception cref="ResourceConflictException">The id is taken.</exception>
    public async Task<Tenant> CreateAsync(string tenantId, string displayName, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (tenantId is null || !IdShape().IsMatch(tenantId))
        {
            errors["id"] = [IdRule];
        }

        if (NameError(displayName) is { } nameError)
        {
            errors["displayName"] = [nameError];
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        try
        {
            return await tenants.CreateAsync(tenantId!, displayName, cancellationToken);
        }
        catch (DocumentExistsException e)
        {
            throw new ResourceConflictException($"Tenant '{tenantId}' already exists.", innerException: e);
        }
    }

    /// <summary>A tenant.</summary>
    /// <exception cref="ResourceNotFoundException">There is no such tenant.</exception>
    public async Task<Tenant> GetAsync(string tenantId, CancellationToken cancellationToken) =>
        await Refuse.FoundAsync(tenants.GetAsync(tenantId, cancellationToken), tenantId);

    /// <summary>A page of tenants, by id.</summary>
    /// <exception cref="ValidationFailedException">On <c>continuationToken</c>.</exception>
    public Task<Page<Tenant>> ListAsync(int limit, string? continuationToken, CancellationToken cancellationToken) =>
        tenants.ListAsync(limit, continuationToken, cancellationToken);

    /// <summary>Issues a key: the stored record and the key text, which is never available again.</summary>
    /// <exception cref="ValidationFailedException">On <c>name</c>.</exception>
    /// <exception cref="ResourceNotFoundException">There is no such tenant.</exception>
    public async Task<(ApiKey Stored, string Key)> CreateKeyAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        if (NameError(name) is { } nameError)
        {
            throw new ValidationFailedException("name", nameError);
        }

        await GetAsync(tenantId, cancellationToken);
        return await tenants.CreateKeyAsync(tenantId, name, cancellationToken);
    }

    /// <summary>Every key of the tenant, revoked ones included (the records hold hashes: callers show a view without them).</summary>
    /// <exception cref="ResourceNotFoundException">There is no such tenant.</exception>
    public async Task<IReadOnlyList<ApiKey>> ListKeysAsync(string tenantId, CancellationToken cancellationToken)
    {
        await GetAsync(tenantId, cancellationToken);
        return await tenants.ListKeysAsync(tenantId, cancellationToken);
    }

    /// <summary>Revokes a key (revoking a revoked key changes nothing); it stops working within <c>Auth__KeyCache</c>.</summary>
    /// <exception cref="ResourceNotFoundException">The tenant has no such key.</exception>
    public async Task<ApiKey> RevokeKeyAsync(string tenantId, string keyId, CancellationToken cancellationToken) =>
        await RefuseKey.FoundAsync(tenants.RevokeKeyAsync(tenantId, keyId, cancellationToken), keyId);

    private static string? NameError(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "is required." : name.Length > MaxNameLength ? $"must be at most {MaxNameLength} characters." : null;

    [GeneratedRegex(IdPattern, RegexOptions.CultureInvariant)]
    private static partial Regex IdShape();
}
