using Microsoft.Extensions.Logging;

namespace IntegrationHub.Secrets.Vault.Auth;

/// <summary>
/// Keeps the hub's Vault token valid: logs in on first use, renews the token (<c>renew-self</c>) once
/// about two thirds of its TTL have passed, and logs in afresh when renewal fails, the token is not
/// renewable, or it already expired.
/// </summary>
/// <remarks>
/// <para>Renewal happens on the first request after the renewal point rather than on a timer: an idle hub
/// makes no Vault traffic, and a token that expired while idle is simply replaced by a new login.</para>
/// <para>The renewal point is drawn between about 62% and 72% of the TTL (2/3 ± 5%, jitter), so many hub instances that
/// logged in together do not all renew in the same second.</para>
/// <para>Concurrent requests share one login or renewal (single flight): a burst of runs at start-up or
/// at expiry produces one request to Vault, not one per run.</para>
/// </remarks>
internal sealed class VaultTokenManager(IVaultAuthMethod method, VaultTransport transport, TimeProvider time, ILogger<VaultTokenManager> logger)
{
    private readonly Lock _gate = new();
    private Lease? _lease;
    private Task<Lease>? _inflight;

    /// <summary>A token valid now, logging in or renewing first when due.</summary>
    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var lease = Volatile.Read(ref _lease);
        if (lease is not null && !lease.RenewalDue(time.GetUtcNow()))
        {
            return lease.Token;
        }

        return (await Refresh(stale: null).WaitAsync(cancellationToken)).Token;
    }

    /// <summary>
    /// Vault refused <paramref name="staleToken"/> (403): log in again, unless another request already
    /// replaced it, and return the token to retry with.
    /// </summary>
    public async Task<string> ReplaceAsync(string staleToken, CancellationToken cancellationToken)
    {
        var lease = Volatile.Read(ref _lease);
        if (lease is not null && !string.Equals(lease.Token, staleToken, StringComparison.Ordinal) && !lease.RenewalDue(time.GetUtcNow()))
        {
            return lease.Token;
        }

        return (await Refresh(stale: staleToken).WaitAsync(cancellationToken)).Token;
    }

    private Task<Lease> Refresh(string? stale)
    {
        lock (_gate)
        {
            if (_inflight is { IsCompleted: false })
            {
                return _inflight;
            }

            var current = _lease;
            if (current is not null && stale is null && !current.RenewalDue(time.GetUtcNow()))
            {
                return Task.FromResult(current);
            }

            // Not tied to any one caller's cancellation: the callers share the outcome.
            _inflight = RefreshCoreAsync(current, forceLogin: stale is not null && current is not null && current.Token == stale);
            return _inflight;
        }
    }

    private async Task<Lease> RefreshCoreAsync(Lease? current, bool forceLogin)
    {
        await Task.Yield();
        var now = time.GetUtcNow();
        if (!forceLogin && current is { Renewable: true } && now < current.ExpiresAt)
        {
            try
            {
                var renewed = await RenewAsync(current.Token);
                var lease = Store(renewed);
                Logs.VaultTokenRenewed(logger, transport.Host, renewed.LeaseDuration.TotalSeconds);
                return lease;
            }
            catch (VaultSealedException)
            {
                throw;
            }
            catch (VaultException e)
            {
                Logs.VaultRenewalFailed(logger, transport.Host, e.StatusCode ?? 0, method.Name);
            }
        }

        var result = await method.LoginAsync(CancellationToken.None);
        var fresh = Store(result);
        Logs.VaultLoggedIn(logger, transport.Host, method.Name, result.LeaseDuration.TotalSeconds, result.Renewable);
        return fresh;
    }

    private async Task<VaultAuthResult> RenewAsync(string token)
    {
        const string operation = "token renewal (auth/token/renew-self)";
        using var response = await transport.SendAsync(
            HttpMethod.Post,
            "auth/token/renew-self",
            w =>
            {
                w.WriteStartObject();
                w.WriteEndObject();
            },
            token,
            operation,
            CancellationToken.None);
        if (!response.IsSuccess)
        {
            throw transport.Failure(response, operation);
        }

        return VaultAuthResult.FromAuthBlock(response.Root, transport.Host, operation);
    }

    private Lease Store(VaultAuthResult result)
    {
        var now = time.GetUtcNow();
        Lease lease;
        if (result.LeaseDuration <= TimeSpan.Zero)
        {
            lease = new Lease(result.ClientToken, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, result.Renewable);
        }
        else
        {
            var fraction = (2.0 / 3.0) + ((System.Security.Cryptography.RandomNumberGenerator.GetInt32(0, 1001) / 1000.0) - 0.5) * 0.1;
            lease = new Lease(result.ClientToken, now + (result.LeaseDuration * fraction), now + result.LeaseDuration, result.Renewable);
        }

        Volatile.Write(ref _lease, lease);
        return lease;
    }

    private sealed class Lease(string token, DateTimeOffset renewAt, DateTimeOffset expiresAt, bool renewable)
    {
        public string Token { get; } = token;

        public DateTimeOffset RenewAt { get; } = renewAt;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public bool Renewable { get; } = renewable;

        public bool RenewalDue(DateTimeOffset now) => now >= RenewAt;

        public override string ToString() => $"Lease {{ RenewAt = {RenewAt:O}, ExpiresAt = {ExpiresAt:O}, Renewable = {Renewable} }}";
    }
}
