using System.Net;
using IntegrationHub.Functions.Tests.Infrastructure;

namespace IntegrationHub.Functions.Tests.Hosting;

/// <summary>A host started with a setting the hub refuses: the API is not served and the log names the setting.</summary>
public sealed class StartupConfigurationTests
{
    [Theory]
    [InlineData("Auth:AdminKey", "too-short", "Auth__AdminKey", "at least 24 characters")]
    [InlineData("Cosmos:Endpoint", "not a url", "Cosmos__Endpoint", "not an http(s) URL")]
    [InlineData("Runs:StallAfter", "00:00:01", "Runs__StallAfter", "between 00:00:10 and 1.00:00:00")]
    [InlineData("Runs:StallAfterSeconds", "600", "Runs__StallAfterSeconds", "set Runs__StallAfter as a duration")]
    public async Task An_invalid_setting_stops_the_worker_and_the_log_names_it(string setting, string value, string named, string why)
    {
        await using var hub = await HubHost.LaunchAsync(new Dictionary<string, string?> { [setting] = value });

        // "Setting X: why" is the hub's refusal; the kit also names X when an environment value overrides local.settings.json.
        var line = await hub.LogLineAsync($"Setting {named}", TimeSpan.FromSeconds(120));

        using var admin = hub.Admin();
        admin.Timeout = TimeSpan.FromSeconds(30);
        HttpStatusCode? status;
        try
        {
            using var response = await admin.GetAsync(new Uri("api/v1/integrations", UriKind.Relative));
            status = response.StatusCode;
        }
        catch (Exception e) when (e is TaskCanceledException or HttpRequestException)
        {
            status = null; // no answer at all (the host gave up and exited, or hangs) is not serving either
        }

        Assert.True(status is null || (int)status >= 500, $"the API answered {(int?)status} with {setting}={value}; log: {line}");
        Assert.Contains(why, line, StringComparison.Ordinal);
        Assert.DoesNotContain(hub.Logs.Lines, l => l.Contains("Executed 'Functions.ListIntegrations' (Succeeded", StringComparison.Ordinal));
    }
}

[Collection(ApiHub.Name)]
public sealed class UnknownRouteTests(ApiHubFixture fixture)
{
    [Fact]
    public async Task Unknown_routes_answer_a_problem_response_without_revealing_routes_to_strangers()
    {
        using var admin = fixture.Hub.Admin();

        using var known = await admin.GetAsync(new Uri("api/v1/nothing-here", UriKind.Relative));
        using var stranger = await fixture.Hub.Client.GetAsync(new Uri("api/v1/nothing-here", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, known.StatusCode);
        Assert.Equal("application/problem+json", known.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
        Assert.Equal("application/problem+json", stranger.Content.Headers.ContentType?.MediaType);
    }
}
