using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Errors;

/// <summary>
/// The read / <c>If-Match</c> / not-found shape every domain service shares (credentials, integrations, flows, Spark
/// jobs, tenants, runs, dead letters), in one place: a read that finds nothing, or a delete that removed nothing, is a
/// <see cref="ResourceNotFoundException"/> (also for another tenant's id, so ids cannot be probed); an <c>If-Match</c>
/// that does not name the current ETag is a <see cref="StaleVersionException"/>. The API maps both (404, 412).
/// </summary>
/// <param name="Kind">The resource name in messages (<c>Flow</c>, <c>Spark job</c>).</param>
public sealed record ResourceRefusals(string Kind)
{
    /// <summary>The resource <paramref name="read"/> found.</summary>
    /// <exception cref="ResourceNotFoundException">It found none.</exception>
    public async Task<T> FoundAsync<T>(Task<T?> read, string id)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        return await read ?? throw new ResourceNotFoundException(Kind, id);
    }

    /// <summary><paramref name="found"/>, when <paramref name="ifMatch"/> (an ETag, quoted or not; null: no condition) names its version.</summary>
    /// <exception cref="StaleVersionException">It has another version.</exception>
    public T AtVersion<T>(T found, string id, string? ifMatch)
        where T : TenantDocument
    {
        ArgumentNullException.ThrowIfNull(found);
        return StaleVersionException.Matches(ifMatch, found.ETag) ? found : throw new StaleVersionException(Kind, id);
    }

    /// <summary>Awaits a delete that says whether it removed anything.</summary>
    /// <exception cref="ResourceNotFoundException">It removed nothing (deleted meanwhile).</exception>
    public async Task DeletedAsync(Task<bool> delete, string id)
    {
        ArgumentNullException.ThrowIfNull(delete);
        if (!await delete)
        {
            throw new ResourceNotFoundException(Kind, id);
        }
    }
}
