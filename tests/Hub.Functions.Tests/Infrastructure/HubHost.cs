using System.Net.Http.Json;
using IntegrationHub.Functions.Hosting;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Functions.Tests.Infrastructure;

/// <summary>
/// The real hub (the same <see cref="HubApplication"/> Program.cs runs) on Kestrel at a free loopback
/// port, against the Cosmos emulator in a database of its own. Tests talk to it over HTTP.
/// </summary>
public sealed class HubHost : IAsyncDisposable
{
    private HubHost(WebApplication app, CapturedLogs logs)
    {
        App = app;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/");
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    /// <summary>The operator key the test hubs are configured with.</summary>
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    /// <summary>The local secret store's key in test hubs (base64 of bytes 0..31; test data only).</summary>
    public const string TestSecretKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    public WebApplication App { get; }

    public CapturedLogs Logs { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Starts a hub. <paramref name="settings"/> override the defaults (emulator, own database, timers off).</summary>
    public static async Task<HubHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        CosmosEmulator? emulator = null)
    {
        emulator ??= await SharedCosmosEmulator.GetAsync();
        var all = emulator.Settings(SharedCosmosEmulator.NewDatabaseName("hub"));
        all["Hosting:Urls"] = "http://127.0.0.1:0";
        all["Hosting:RunTimers"] = "false";
        all["Hosting:LocalSettingsPath"] = "none";
        all["Auth:AdminKey"] = AdminKey;
        all["Auth:KeyCacheSeconds"] = "0";
        all["environment"] = "Development";

        // A fixed key for the local secret store, so a Development hub never generates one into the user's home.
        all["Secrets:LocalKey"] = TestSecretKey;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var args = all.Where(p => p.Value is not null).Select(p => $"--{p.Key}={p.Value}").ToArray();
        var logs = new CapturedLogs();
        var app = HubApplication.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();

        // Tests start from a ready store, as a user does once the hub has been up a moment.
        await app.Services.GetRequiredService<HubCosmos>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
        return new HubHost(app, logs);
    }

    /// <summary>A client that authenticates with <paramref name="key"/>.</summary>
    public HttpClient ClientWithKey(string key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A client with the admin key.</summary>
    public HttpClient Admin() => ClientWithKey(AdminKey);

    /// <summary>Creates a tenant and returns a client with a fresh API key of it.</summary>
    public async Task<(HttpClient Client, string Key)> TenantAsync(string tenantId)
    {
        using var admin = Admin();
        (await admin.PostAsJsonAsync("api/v1/tenants", new { id = tenantId, displayName = tenantId })).EnsureSuccessStatusCode();
        var created = await (await admin.PostAsJsonAsync($"api/v1/tenants/{tenantId}/api-keys", new { name = "tests" })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var key = created.GetProperty("key").GetString()!;
        return (ClientWithKey(key), key);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
