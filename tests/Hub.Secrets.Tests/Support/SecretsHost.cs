using IntegrationHub.Shared.Cosmos;
using IntegrationHub.TestDoubles.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IntegrationHub.Secrets.Tests.Support;

/// <summary>
/// The hub's secrets services as the hub registers them (<c>AddHubSecrets</c>), on a fake clock, with
/// every log line captured at Trace level.
/// </summary>
public sealed class SecretsHost : IAsyncDisposable
{
    private SecretsHost(ServiceProvider services, FakeTimeProvider time, CapturedLogs logs)
    {
        Services = services;
        Time = time;
        Logs = logs;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public CapturedLogs Logs { get; }

    public ISecretStore Store => Services.GetRequiredService<ISecretStore>();

    public static SecretsHost Create(
        IDictionary<string, string?> settings,
        FakeTimeProvider? time = null,
        string environment = "Production",
        Action<IServiceCollection>? configure = null,
        bool cosmos = false)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var logs = new CapturedLogs();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IHostEnvironment>(new Environment(environment));
        configure?.Invoke(services);
        if (cosmos)
        {
            services.AddHubCosmos();
        }

        services.AddHubSecrets();
        return new SecretsHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = cosmos, ValidateScopes = true }), time, logs);
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "IntegrationHub.Tests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
