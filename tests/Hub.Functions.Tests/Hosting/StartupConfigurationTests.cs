using System.Net;
using IntegrationHub.Functions.Hosting;
using IntegrationHub.Functions.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Tests.Hosting;

public sealed class StartupConfigurationTests
{
    [Fact]
    public async Task Missing_cosmos_endpoint_stops_start_up_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync("--Cosmos:Endpoint="));

        Assert.Contains("Cosmos__Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_cosmos_endpoint_stops_start_up_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync("--Cosmos:Endpoint=not a url"));

        Assert.Contains("Cosmos__Endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("not an http(s) URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_routes_answer_a_problem_response_without_revealing_routes_to_strangers()
    {
        await using var hub = await HubHost.StartAsync();
        using var admin = hub.Admin();

        using var known = await admin.GetAsync(new Uri("api/v1/nothing-here", UriKind.Relative));
        using var stranger = await hub.Client.GetAsync(new Uri("api/v1/nothing-here", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, known.StatusCode);
        Assert.Equal("application/problem+json", known.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
        Assert.Equal("application/problem+json", stranger.Content.Headers.ContentType?.MediaType);
    }

    // Validation runs when the app is built or started, whichever first needs the options.
    private static async Task StartAsync(string setting)
    {
        await using var app = HubApplication.Build(["--Hosting:Urls=http://127.0.0.1:0", "--Hosting:LocalSettingsPath=none", setting]);
        await app.StartAsync();
    }
}
