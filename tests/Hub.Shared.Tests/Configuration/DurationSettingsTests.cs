using IntegrationHub.Shared.Configuration;
using IntegrationHub.Shared.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Shared.Tests.Configuration;

/// <summary>
/// Durations in options are <see cref="TimeSpan"/> settings written <c>hh:mm:ss</c>, bounded at start-up, and a setting
/// still named with its unit (the names before issue 14) is refused rather than silently ignored. Checked on
/// <see cref="CosmosOptions"/>; every options class binds through the same <see cref="HubOptionsExtensions.AddHubOptions"/>.
/// </summary>
public sealed class DurationSettingsTests
{
    [Fact]
    public void A_duration_is_read_in_hh_mm_ss()
    {
        var options = Bind(new() { ["Cosmos:RequestTimeout"] = "00:00:05", ["Cosmos:MaxRetryWait"] = "00:01:30" });

        Assert.Equal(TimeSpan.FromSeconds(5), options.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), options.MaxRetryWait);
    }

    [Theory]
    [InlineData("30")] // a plain number is days to TimeSpan: 30 days, past the bound
    [InlineData("00:00:00")]
    [InlineData("-00:00:05")]
    public void A_duration_out_of_bounds_is_refused_naming_the_app_setting(string value)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Cosmos:RequestTimeout"] = value }));

        var failure = Assert.Single(refused.Failures);
        Assert.StartsWith("Setting Cosmos__RequestTimeout: ", failure, StringComparison.Ordinal);
        Assert.Contains("00:05:00", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Cosmos:RequestTimeoutSeconds", "Cosmos__RequestTimeoutSeconds", "Cosmos__RequestTimeout")]
    [InlineData("Cosmos:MaxRetryWaitMilliseconds", "Cosmos__MaxRetryWaitMilliseconds", "Cosmos__MaxRetryWait")]
    public void A_setting_still_named_with_its_unit_is_refused_naming_the_new_one(string key, string oldName, string newName)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = "10" }));

        var failure = Assert.Single(refused.Failures);
        Assert.StartsWith($"Setting {oldName}: ", failure, StringComparison.Ordinal);
        Assert.Contains($"set {newName} ", failure, StringComparison.Ordinal);
    }

    private static CosmosOptions Bind(Dictionary<string, string?> settings)
    {
        settings["Cosmos:Endpoint"] = "http://127.0.0.1:8081/";
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddHubOptions<CosmosOptions>(CosmosOptions.Section);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<CosmosOptions>>().Value;
    }
}
