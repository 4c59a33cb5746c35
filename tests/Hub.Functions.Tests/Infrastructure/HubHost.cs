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
        all["environment"] = "Development";
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

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
