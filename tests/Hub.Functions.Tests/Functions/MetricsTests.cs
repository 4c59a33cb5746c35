using System.Globalization;
using System.Net;
using IntegrationHub.Functions.Tests.Infrastructure;

namespace IntegrationHub.Functions.Tests.Functions;

[Collection(ApiHub.Name)]
public sealed class MetricsTests(ApiHubFixture fixture)
{
    [Fact]
    public async Task Request_counts_and_durations_are_exported_in_prometheus_format_by_route()
    {
        var hub = fixture.Hub;
        var before = HealthCount(await hub.Client.GetStringAsync(new Uri("api/metrics", UriKind.Relative))); // other tests of the collection call it too
        for (var i = 0; i < 3; i++)
        {
            using var health = await hub.Client.GetAsync(new Uri("api/health", UriKind.Relative));
        }

        using var response = await hub.Client.GetAsync(new Uri("api/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Equal(before + 3, HealthCount(text));
    }

    private static long HealthCount(string text) => text.Split('\n')
        .Where(l => l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("http_route=\"/api/health\"", StringComparison.Ordinal))
        .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
