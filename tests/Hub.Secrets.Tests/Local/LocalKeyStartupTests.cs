using IntegrationHub.Secrets.Local;
using IntegrationHub.TestDoubles.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Secrets.Tests.Local;

/// <summary>The start-up rule for the local store's key: required outside Development, generated (once, and said so) in Development.</summary>
public sealed class LocalKeyStartupTests
{
    [Fact]
    public async Task Outside_development_without_vault_or_key_the_hub_refuses_to_start_naming_the_setting()
    {
        using var host = Build("Production", new Dictionary<string, string?>());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("Secrets__LocalKey is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_that_is_not_32_bytes_of_base64_is_refused()
    {
        using var host = Build("Production", new Dictionary<string, string?> { ["Secrets:LocalKey"] = Convert.ToBase64String(new byte[16]) });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("Secrets__LocalKey must be base64 of exactly 32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_vault_configured_no_local_key_is_needed()
    {
        using var host = Build("Production", new Dictionary<string, string?> { ["Vault:Address"] = "https://vault.example.com:8200", ["Vault:Token"] = "hvs.x" });

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task In_development_a_key_is_generated_once_saved_and_announced_without_revealing_it()
    {
        var folder = Path.Combine(Path.GetTempPath(), "hub-devkey-" + Guid.NewGuid().ToString("N"));
        var file = Path.Combine(folder, "local-secrets.key");
        try
        {
            var settings = new Dictionary<string, string?> { ["Secrets:DevelopmentKeyFile"] = file };
            var logs = new CapturedLogs();
            string firstId;
            using (var first = Build("Development", settings, logs))
            {
                await first.StartAsync();
                firstId = first.Services.GetRequiredService<LocalSecretKey>().KeyId;
                await first.StopAsync();
            }

            using var second = Build("Development", settings, new CapturedLogs());
            await second.StartAsync();
            var secondId = second.Services.GetRequiredService<LocalSecretKey>().KeyId;
            await second.StopAsync();

            var key = (await File.ReadAllTextAsync(file)).Trim();
            Assert.Equal(32, Convert.FromBase64String(key).Length);
            Assert.Equal(firstId, secondId);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }

            var warning = Assert.Single(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("generated key", StringComparison.Ordinal));
            Assert.Contains(file, warning, StringComparison.Ordinal);
            Assert.DoesNotContain(key, string.Join('\n', logs.Lines), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static IHost Build(string environment, Dictionary<string, string?> settings, CapturedLogs? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddHubSecrets();
        return builder.Build();
    }
}
