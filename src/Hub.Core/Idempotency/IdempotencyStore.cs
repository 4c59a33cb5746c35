using System.Security.Cryptography;
using System.Text;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Core.Idempotency;

/// <summary>The first response to a POST carrying an <c>Idempotency-Key</c>, replayed for repeats of the same request.</summary>
public sealed record IdempotencyRecord : TenantDocument
{
    /// <summary>Hash of the method, path and body: a reused key with a different request is refused, not replayed.</summary>
    public required string RequestHash { get; init; }

    /// <summary>True while the first request is still executing.</summary>
    public bool Pending { get; init; }

    /// <summary>The status the first request answered.</summary>
    public int StatusCode { get; init; }

    /// <summary>Its content type.</summary>
    public string? ContentType { get; init; }

    /// <summary>Its <c>Location</c> header.</summary>
    public string? Location { get; init; }

    /// <summary>Its <c>ETag</c> header.</summary>
    public string? ResponseETag { get; init; }

    /// <summary>Its body (API responses are small; bodies over the limit are not recorded).</summary>
    public string? Body { get; init; }

    /// <summary>When the first request arrived; records are kept for <see cref="IdempotencyStore.Retention"/>.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Cosmos per-item time to live, so records expire on their own.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("ttl")]
    public int? TimeToLive { get; init; }
}

/// <summary>Idempotency records in the <c>idempotency</c> container, expiring after <see cref="Retention"/>.</summary>
public sealed class IdempotencyStore(HubCosmos cosmos, TimeProvider time)
{
    /// <summary>How long a key is remembered.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>The container; per-item TTL is on so records expire by themselves.</summary>
    public static readonly ContainerDefinition Container = new("idempotency", DefaultTimeToLiveSeconds: -1);

    private readonly DocumentSet<IdempotencyRecord> _records = cosmos.Documents<IdempotencyRecord>(Container.Name);

    /// <summary>The record id for a key on a route: keys are scoped to the tenant and the endpoint.</summary>
    public static string IdOf(string method, string path, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{method}\n{path}\n{key}")));

    /// <summary>Hash of a request, to tell a true repeat from a reused key.</summary>
    public static string HashOf(string method, string path, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{method}\n{path}\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Claims a key for a new request: <c>Claimed</c> with the new pending record, or not, with the record already there.</summary>
    public async Task<(bool Claimed, IdempotencyRecord Record)> TryBeginAsync(string tenantId, string id, string requestHash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var claimed = await _records.CreateAsync(
                new IdempotencyRecord { Id = id, TenantId = tenantId, RequestHash = requestHash, Pending = true, CreatedAt = now, TimeToLive = (int)Retention.TotalSeconds },
                cancellationToken);
            return (true, claimed);
        }
        catch (DocumentExistsException)
        {
            var existing = await _records.ReadAsync(tenantId, id, cancellationToken);
            if (existing is null || existing.CreatedAt + Retention < now)
            {
                // Expired but not yet swept (or a store without TTL), or released meanwhile: start over.
                await _records.DeleteAsync(tenantId, id, existing?.ETag, cancellationToken);
                return await TryBeginAsync(tenantId, id, requestHash, cancellationToken);
            }

            return (false, existing);
        }
    }

    /// <summary>Records the response of a request that succeeded, on the record its claim created.</summary>
    public Task CompleteAsync(IdempotencyRecord response, CancellationToken cancellationToken) =>
        _records.ReplaceAsync(response with { Pending = false }, cancellationToken);

    /// <summary>Releases a key whose request failed, so the client can retry it.</summary>
    public Task AbandonAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        _records.DeleteAsync(tenantId, id, null, cancellationToken);
}
