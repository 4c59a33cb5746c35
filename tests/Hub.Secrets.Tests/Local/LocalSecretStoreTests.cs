using System.Security.Cryptography;
using IntegrationHub.Secrets.Local;
using IntegrationHub.Secrets.Tests.Support;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Secrets.Tests.Local;

/// <summary>The local AES-GCM store on the test process's shared Cosmos emulator (a database per test): versions and check-and-set, deletes, tamper and key-change detection.</summary>
public sealed class LocalSecretStoreTests
{
    private static readonly SecretValues First = SecretValues.From(new Dictionary<string, string> { ["api_key"] = "sk-local-first-0123456789", ["user"] = "bot" });
    private static readonly SecretValues Second = SecretValues.From(new Dictionary<string, string> { ["api_key"] = "sk-local-second-0123456789" });

    [Fact]
    public async Task Values_round_trip_encrypted_with_versions_counted_up()
    {
        await using var host = await StartAsync();

        var v1 = await host.Store.CreateAsync("acme", "slack", First, default);
        var v2 = await host.Store.UpdateAsync("acme", "slack", Second, v1, default);
        var read = await host.Store.ReadAsync("acme", "slack", default);

        Assert.Equal((1, 2), (v1, v2));
        Assert.Equal(2, read!.Version);
        Assert.Equal("sk-local-second-0123456789", read.Values["api_key"]);
        Assert.False(read.Values.ContainsKey("user"));
        Assert.Equal("local", host.Store.Kind);

        var stored = await Documents(host).ReadAsync("acme", "slack", default);
        Assert.NotNull(stored);
        Assert.Equal(12, Convert.FromBase64String(stored.Nonce).Length);
        Assert.Equal(16, Convert.FromBase64String(stored.Tag).Length);
        Assert.DoesNotContain("sk-local", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(stored.Ciphertext)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_over_an_existing_secret_and_update_from_a_stale_version_are_conflicts()
    {
        await using var host = await StartAsync();
        var v1 = await host.Store.CreateAsync("acme", "slack", First, default);
        await host.Store.UpdateAsync("acme", "slack", Second, v1, default);

        await Assert.ThrowsAsync<SecretAlreadyExistsException>(() => host.Store.CreateAsync("acme", "slack", Second, default));
        var stale = await Assert.ThrowsAsync<SecretVersionConflictException>(() => host.Store.UpdateAsync("acme", "slack", First, v1, default));
        await Assert.ThrowsAsync<SecretVersionConflictException>(() => host.Store.UpdateAsync("acme", "missing", First, 1, default));

        Assert.Contains("the current version is 2", stale.Message, StringComparison.Ordinal);
        Assert.Equal("sk-local-second-0123456789", (await host.Store.ReadAsync("acme", "slack", default))!.Values["api_key"]);
    }

    [Fact]
    public async Task Two_updates_racing_from_the_same_version_cannot_both_win()
    {
        await using var host = await StartAsync();
        var v1 = await host.Store.CreateAsync("acme", "slack", First, default);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            try
            {
                await host.Store.UpdateAsync("acme", "slack", SecretValues.From(new Dictionary<string, string> { ["n"] = $"value-{i}" }), v1, default);
                return true;
            }
            catch (SecretVersionConflictException)
            {
                return false;
            }
        }));

        Assert.Single(results, r => r);
        Assert.Equal(2, (await host.Store.ReadAsync("acme", "slack", default))!.Version);
    }

    [Fact]
    public async Task A_ciphertext_moved_to_another_credential_fails_its_integrity_check()
    {
        await using var host = await StartAsync();
        await host.Store.CreateAsync("acme", "slack", First, default);
        await host.Store.CreateAsync("acme", "github", Second, default);
        var slack = (await Documents(host).ReadAsync("acme", "slack", default))!;
        var github = (await Documents(host).ReadAsync("acme", "github", default))!;

        await Documents(host).ReplaceAsync(github with { Nonce = slack.Nonce, Ciphertext = slack.Ciphertext, Tag = slack.Tag, Version = slack.Version }, default);
        var error = await Assert.ThrowsAsync<SecretIntegrityException>(() => host.Store.ReadAsync("acme", "github", default));

        Assert.Contains("credential 'github' in tenant 'acme'", error.Message, StringComparison.Ordinal);
        Assert.Contains("failed its integrity check", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-local", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ciphertext_under_another_key_is_reported_as_a_key_change()
    {
        var database = "secrets-" + Guid.NewGuid().ToString("N")[..8];
        await using (var writer = await StartAsync(database))
        {
            await writer.Store.CreateAsync("acme", "slack", First, default);
        }

        await using var reader = await StartAsync(database);
        var error = await Assert.ThrowsAsync<SecretIntegrityException>(() => reader.Store.ReadAsync("acme", "slack", default));

        Assert.Contains("encrypted under key id", error.Message, StringComparison.Ordinal);
        Assert.Contains("Secrets__LocalKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Soft_delete_hides_the_values_and_destroy_removes_them()
    {
        await using var host = await StartAsync();
        await host.Store.CreateAsync("acme", "slack", First, default);

        await host.Store.DeleteAsync("acme", "slack", destroy: false, default);
        Assert.Null(await host.Store.ReadAsync("acme", "slack", default));
        Assert.True((await Documents(host).ReadAsync("acme", "slack", default))!.Deleted);
        await Assert.ThrowsAsync<SecretAlreadyExistsException>(() => host.Store.CreateAsync("acme", "slack", Second, default));

        await host.Store.DeleteAsync("acme", "slack", destroy: true, default);
        Assert.Null(await Documents(host).ReadAsync("acme", "slack", default));
        Assert.Equal(1, await host.Store.CreateAsync("acme", "slack", Second, default));
        await host.Store.DeleteAsync("acme", "never-existed", destroy: true, default);
    }

    private static DocumentSet<SecretDocument> Documents(SecretsHost host) =>
        host.Services.GetRequiredService<HubCosmos>().Documents<SecretDocument>(LocalSecretStore.Container);

    private static async Task<SecretsHost> StartAsync(string? database = null)
    {
        var emulator = await SharedCosmosEmulator.GetAsync();
        var settings = emulator.Settings(database ?? SharedCosmosEmulator.NewDatabaseName("secrets"));
        settings["Secrets:LocalKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var host = SecretsHost.Create(settings, cosmos: true);
        await host.Services.GetRequiredService<HubCosmos>().EnsureCreatedAsync(default);
        return host;
    }
}
