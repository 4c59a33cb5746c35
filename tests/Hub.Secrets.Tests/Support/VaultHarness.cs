using IntegrationHub.Secrets.Vault;
using IntegrationHub.TestDoubles.Vault;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IntegrationHub.Secrets.Tests.Support;

/// <summary>A <see cref="VaultDouble"/> on a fake clock and the hub's secrets services pointing at it.</summary>
public sealed class VaultHarness : IAsyncDisposable
{
    public const string RoleId = "hub-role-id";

    public static readonly string SecretId = "approle-secret-" + Guid.NewGuid().ToString("N");

    private VaultHarness(VaultDouble vault, SecretsHost host)
    {
        Vault = vault;
        Host = host;
    }

    public VaultDouble Vault { get; }

    public SecretsHost Host { get; }

    public FakeTimeProvider Time => Host.Time;

    public ISecretStore Store => Host.Store;

    public VaultClient Client => Host.Services.GetRequiredService<VaultClient>();

    /// <summary>Starts a double with an AppRole (TTL <paramref name="ttl"/>) and services logging in with it, unless <paramref name="settings"/> say otherwise.</summary>
    public static async Task<VaultHarness> StartAsync(
        TimeSpan? ttl = null,
        bool renewable = true,
        IDictionary<string, string?>? settings = null,
        Action<VaultDouble>? arrange = null,
        Action<IServiceCollection>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var vault = new VaultDouble(time);
        vault.AddAppRole(RoleId, SecretId, ttl ?? TimeSpan.FromMinutes(30), renewable);
        arrange?.Invoke(vault);
        await vault.StartAsync();

        var all = new Dictionary<string, string?>
        {
            ["Vault:Address"] = vault.BaseAddress.ToString(),
            ["Vault:AuthMethod"] = "approle",
            ["Vault:RoleId"] = RoleId,
            ["Vault:SecretId"] = SecretId,
            ["Vault:Timeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new VaultHarness(vault, SecretsHost.Create(all, time, configure: configure));
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Vault.DisposeAsync();
    }
}
