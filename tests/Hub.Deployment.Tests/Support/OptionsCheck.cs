using IntegrationHub.Functions.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Deployment.Tests.Support;

/// <summary>
/// Binds and validates every options class of the hub against a set of app settings, exactly as start-up
/// does (<c>ValidateOnStart</c> resolves the same <see cref="IOptions{TOptions}"/>), and returns the failures.
/// </summary>
public static class OptionsCheck
{
    /// <summary>The validation failures (empty when the hub would start with <paramref name="appSettings"/>).</summary>
    public static IReadOnlyList<string> Failures(IEnumerable<KeyValuePair<string, string>> appSettings, string environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(appSettings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environment, ApplicationName = "Hub.Functions", ContentRootPath = AppContext.BaseDirectory });
        services.AddLogging();
        services.AddHub(configuration);
        using var provider = services.BuildServiceProvider();

        var failures = new List<string>();
        foreach (var section in HubCode.Sections)
        {
            try
            {
                var options = provider.GetRequiredService(typeof(IOptions<>).MakeGenericType(section.OptionsType));
                _ = options.GetType().GetProperty("Value")!.GetValue(options);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is OptionsValidationException invalid)
            {
                failures.AddRange(invalid.Failures);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is InvalidOperationException bad)
            {
                failures.Add($"{section.Section}: {bad.Message}");
            }
        }

        return failures;
    }
}
