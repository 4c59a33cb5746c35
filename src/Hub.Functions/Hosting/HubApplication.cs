using IntegrationHub.Functions.Functions.Catalog;
using IntegrationHub.Functions.Functions.CredentialCheck;
using IntegrationHub.Functions.Functions.Credentials;
using IntegrationHub.Functions.Functions.Integrations;
using IntegrationHub.Functions.Functions.Health;
using IntegrationHub.Functions.Functions.DeadLetterReplay;
using IntegrationHub.Functions.Functions.DeadLetters;
using IntegrationHub.Functions.Functions.Events;
using IntegrationHub.Functions.Functions.FlowRun;
using IntegrationHub.Functions.Functions.Flows;
using IntegrationHub.Functions.Functions.IntegrationRun;
using IntegrationHub.Functions.Functions.IntegrationRuns;
using IntegrationHub.Functions.Functions.Metrics;
using IntegrationHub.Functions.Functions.RunCancel;
using IntegrationHub.Functions.Functions.Runs;
using IntegrationHub.Functions.Functions.SparkJobs;
using IntegrationHub.Functions.Functions.OpenApi;
using IntegrationHub.Functions.Functions.TenantApiKeys;
using IntegrationHub.Functions.Functions.Tenants;
using IntegrationHub.Functions.Hosting.CustomHandler;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Hosting;

/// <summary>
/// Builds the handler app. <c>Program.cs</c> and the tests both start the hub through here, so what the
/// tests exercise is the app that ships.
/// </summary>
public static class HubApplication
{
    /// <summary>Builds the app from command-line <paramref name="args"/>; <paramref name="configure"/> lets tests add or replace services.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var mode = HostingMode.Detect(builder.Configuration);
        if (!mode.UnderFunctionsHost)
        {
            // Lowest precedence after appsettings: environment variables and arguments still win.
            var sources = builder.Configuration.Sources.ToList();
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddLocalSettings(LocalSettings.Locate(builder.Configuration));
            foreach (var source in sources)
            {
                builder.Configuration.Sources.Add(source);
            }
        }

        builder.WebHost.UseUrls(mode.Urls);
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Services.AddSingleton(mode);
        builder.Services.AddHub(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseHub();
        app.MapHub();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = string.Join(", ", app.Urls);
            Logs.Listening(app.Logger, urls, mode.Name);
        });
        return app;
    }

    /// <summary>Runs the hub; a configuration error ends it with one clear message and exit code 1.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            await using var app = Build(args);
            await app.RunAsync();
            return 0;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"IntegrationHub cannot start: {string.Join(" ", e.Failures)}");
            return 1;
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Setting ", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"IntegrationHub cannot start: {e.Message}");
            return 1;
        }
    }

    private static void MapHub(this WebApplication app)
    {
        app.MapHealth();
        app.MapMetrics();
        app.MapOpenApiDocument();
        app.MapTenants();
        app.MapTenantApiKeys();
        app.MapRuns();
        app.MapRunCancel();
        app.MapIntegrationRun();
        app.MapIntegrationRuns();
        app.MapFlows();
        app.MapFlowRun();
        app.MapSparkJobs();
        app.MapEvents();
        app.MapDeadLetters();
        app.MapDeadLetterReplay();
        app.MapTimerFunctions();
        app.MapCatalog();
        app.MapCredentials();
        app.MapCredentialCheck();
        app.MapIntegrations();
    }
}
