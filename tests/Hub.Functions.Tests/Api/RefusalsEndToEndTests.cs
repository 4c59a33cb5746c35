using System.Net;
using IntegrationHub.Functions.Tests.Infrastructure;
using static IntegrationHub.Functions.Tests.Api.ApiCalls;

namespace IntegrationHub.Functions.Tests.Api;

/// <summary>
/// Cases of issues 11 and 13 through the hub on the Functions host, as a user or an attacker sends them: ids that
/// would reach the store as paths, garbage continuation tokens, schedules that can never fire, and the preview
/// that reads without saving.
/// </summary>
[Collection(ApiHub.Name)]
public sealed class RefusalsEndToEndTests(ApiHubFixture fixture)
{
    private readonly HubHost _hub = fixture.Hub;

    [Theory]
    [InlineData("api/v1/credentials/%ff")]
    [InlineData("api/v1/integrations/%252e%252e")]
    [InlineData("api/v1/integrations/a%5cb")]
    [InlineData("api/v1/flows/%2e%2e")]
    [InlineData("api/v1/spark-jobs/%ff")]
    public async Task An_id_the_store_cannot_hold_is_not_found_and_the_store_keeps_serving(string path)
    {
        var (client, _) = await _hub.TenantAsync(Unique("ids"));
        using var _1 = client;
        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "kept", connectorId = "sample" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await AssertProblemAsync(await client.GetAsync(new Uri(path, UriKind.Relative)), HttpStatusCode.NotFound);

        // The emulator is still there and still holds what it held.
        using var list = await client.GetAsync(new Uri("api/v1/integrations", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(1, (await list.ReadJsonAsync()).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("-1")]
    [InlineData("99999")]
    [InlineData("eyJ0b2tlbiI6IjEyMyJ9")]
    [InlineData("{\"token\":\"+RID:~abc\",\"range\":{\"min\":\"\",\"max\":\"FF\"}}")]
    public async Task A_continuation_token_the_hub_did_not_issue_is_a_field_error_not_an_outage(string token)
    {
        var (client, _) = await _hub.TenantAsync(Unique("tokens"));
        using var _1 = client;
        foreach (var list in new[] { "api/v1/integrations", "api/v1/credentials", "api/v1/flows", "api/v1/events", "api/v1/spark-jobs" })
        {
            using var response = await client.GetAsync(new Uri($"{list}?continuationToken={Uri.EscapeDataString(token)}", UriKind.Relative));
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, "continuationToken");
            Assert.False(response.Headers.Contains("Retry-After"), $"{list}: a refused token is not an outage to retry");
        }
    }

    [Theory]
    [InlineData("0 0 0 30 2 *")]
    [InlineData("   ")]
    public async Task A_schedule_that_can_never_fire_or_is_blank_is_refused_on_save(string schedule)
    {
        var (client, _) = await _hub.TenantAsync(Unique("schedules"));
        using var _1 = client;

        await AssertProblemAsync(await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "never", connectorId = "sample", schedule }), HttpStatusCode.BadRequest, "schedule");
        await AssertProblemAsync(await client.GetAsync(new Uri($"api/v1/schedules/occurrences?schedule={Uri.EscapeDataString(schedule)}", UriKind.Relative)), HttpStatusCode.BadRequest, "schedule");
        Assert.Equal(0, (await (await client.GetAsync(new Uri("api/v1/integrations", UriKind.Relative))).ReadJsonAsync()).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Every_other_weekday_from_monday_never_falls_on_a_sunday()
    {
        var (client, _) = await _hub.TenantAsync(Unique("weekdays"));
        using var _1 = client;
        using var saved = await client.SendAsync(HttpMethod.Post, "api/v1/integrations", new { name = "mwf", connectorId = "sample", schedule = "0 0 9 * * 1/2" });
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);

        using var response = await client.GetAsync(new Uri("api/v1/schedules/occurrences?schedule=0%200%209%20*%20*%201%2F2&count=50", UriKind.Relative));
        var occurrences = (await response.ReadJsonAsync()).GetProperty("occurrences").EnumerateArray().Select(o => o.GetDateTimeOffset()).ToList();

        Assert.Equal(50, occurrences.Count);
        Assert.DoesNotContain(occurrences, o => o.DayOfWeek == DayOfWeek.Sunday);
        Assert.All(occurrences, o => Assert.Contains(o.DayOfWeek, new[] { DayOfWeek.Monday, DayOfWeek.Wednesday, DayOfWeek.Friday }));
        Assert.All(occurrences, o => Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromTimeSpan(o.UtcDateTime.TimeOfDay)));
    }

    [Fact]
    public async Task A_preview_reads_the_first_records_raw_and_mapped_and_saves_nothing()
    {
        var (client, _) = await _hub.TenantAsync(Unique("preview"));
        using var _1 = client;
        fixture.GitHub.AddIssue("Previewed issue", DateTimeOffset.UtcNow.AddMinutes(-1));
        var credentialId = await CredentialAsync(client, "github", new { token = ApiHubFixture.Token });
        var definition = new
        {
            name = "Preview",
            connectorId = "github",
            credentialId,
            configuration = new { owner = "octo", repository = "hub", apiBaseUrl = fixture.GitHub.BaseAddress.ToString().TrimEnd('/') },
            mapping = new { title = "$.title", missing = new { path = "$.nope", @default = "D" } },
        };
        var issueReadsBefore = fixture.GitHub.RequestsTo("/issues").Count;

        using var response = await client.SendAsync(HttpMethod.Post, "api/v1/integrations/preview", definition);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var records = (await response.ReadJsonAsync()).GetProperty("records").EnumerateArray().ToList();
        var previewed = Assert.Single(records, r => r.GetProperty("raw").GetProperty("title").GetString() == "Previewed issue");
        Assert.Equal("Previewed issue", previewed.GetProperty("mapped").GetProperty("title").GetString());
        Assert.Equal("D", previewed.GetProperty("mapped").GetProperty("missing").GetString());
        Assert.False(previewed.GetProperty("mapped").TryGetProperty("state", out _));
        Assert.True(records.Count <= 10);
        Assert.Equal(1, fixture.GitHub.RequestsTo("/issues").Count - issueReadsBefore); // one page, then it stops
        Assert.Equal(0, (await (await client.GetAsync(new Uri("api/v1/integrations", UriKind.Relative))).ReadJsonAsync()).GetProperty("items").GetArrayLength());

        // Validated as create validates: a bad mapping path is a field error and nothing is read.
        using var bad = await client.SendAsync(HttpMethod.Post, "api/v1/integrations/preview", new { name = "Preview", connectorId = "github", credentialId, configuration = new { owner = "octo", repository = "hub" }, mapping = new { title = "$..[" } });
        await AssertProblemAsync(bad, HttpStatusCode.BadRequest, "mapping.title");
    }

    // Theory cases share the host: each gets a tenant of its own.
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private static async Task<string> CredentialAsync(HttpClient client, string connectorId, object values)
    {
        using var created = await client.SendAsync(HttpMethod.Post, "api/v1/credentials", new { connectorId, name = connectorId, values });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
    }
}
