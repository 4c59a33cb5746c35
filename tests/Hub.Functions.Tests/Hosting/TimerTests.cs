using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles;

namespace IntegrationHub.Functions.Tests.Hosting;

/// <summary>Timer functions fired by the Functions host: on demand through its admin API.</summary>
[Collection(RunsHub.Name)]
public sealed class TimerTests(RunsHubFixture fixture)
{
    private HubHost Hub => fixture.Hub;

    [Fact]
    public async Task ScheduleSyncs_fired_through_the_admin_api_starts_the_run_of_an_integration_whose_slot_is_due()
    {
        var (client, _) = await Hub.TenantAsync("timer-fired");
        using var _1 = client;
        using var created = await client.PostAsJsonAsync("api/v1/integrations", new { name = "every second", connectorId = "sample", configuration = new { count = 5 }, schedule = "* * * * * *" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // a slot after its creation has passed
        Assert.Equal(0, (await RunsOfAsync(client, id)).GetArrayLength()); // this host's ScheduleSyncs never fires by itself

        await Hub.FireTimerAsync("ScheduleSyncs");

        JsonElement runs = default;
        await Eventually.TrueAsync(async () => (runs = await RunsOfAsync(client, id)).GetArrayLength() > 0 && runs[0].GetProperty("status").GetString() == "succeeded", "the scheduled run to succeed", TimeSpan.FromSeconds(60));
        Assert.Equal(1, runs.GetArrayLength());
        var run = await client.GetFromJsonAsync<JsonElement>($"api/v1/runs/{runs[0].GetProperty("id").GetString()}");
        Assert.Equal(5, run.GetProperty("progress").GetProperty("recordsPublished").GetInt64());
        Assert.Contains(Hub.Logs.Lines, l => l.Contains("Executing 'Functions.ScheduleSyncs'", StringComparison.Ordinal) && l.Contains("programmatically called via the host APIs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Housekeeping_timers_stay_out_of_the_log_at_the_default_level_while_requests_and_runs_show()
    {
        await Hub.FireTimerAsync("ProbeDependencies");
        await Hub.FireTimerAsync("DrainWebhooks");
        using var health = await Hub.Client.GetAsync(new Uri("api/health", UriKind.Relative));
        await Hub.LogLineAsync("Executed 'Functions.Health'");

        // Fired by hand (and on their schedules): not one line of theirs at Information. (DrainCommands, which runs
        // commands through connector actions, logs its invocations: those are state changes.)
        Assert.DoesNotContain(Hub.Logs.Lines, l => l.Contains("'Functions.ProbeDependencies'", StringComparison.Ordinal));
        Assert.DoesNotContain(Hub.Logs.Lines, l => l.Contains("'Functions.DrainWebhooks'", StringComparison.Ordinal));
        Assert.Contains(Hub.Logs.Lines, l => l.Contains("Executed 'Functions.Health'", StringComparison.Ordinal));
        Assert.DoesNotContain(Hub.Logs.Lines, l => l.Contains("Start processing HTTP request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_timer_fired_for_a_function_that_does_not_exist_is_not_found()
    {
        using var admin = Hub.AdminHttp();

        using var response = await admin.PostAsJsonAsync("admin/functions/NoSuchTimer", new { input = string.Empty });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    internal static async Task<JsonElement> RunsOfAsync(HttpClient client, string integrationId) =>
        (await client.GetFromJsonAsync<JsonElement>($"api/v1/integrations/{integrationId}/runs")).GetProperty("items");
}

/// <summary>A timer the host fires on its own schedule (<c>Timers__ScheduleSyncs</c> every 2 s), nobody calling it.</summary>
public sealed class TimerScheduleTests : IAsyncLifetime
{
    private HubHost _hub = null!;

    public async Task InitializeAsync() => _hub = await HubHost.StartAsync(new Dictionary<string, string?>
    {
        ["Timers:ScheduleSyncs"] = "*/2 * * * * *",
    });

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task ScheduleSyncs_on_its_schedule_starts_a_due_integrations_run_by_itself()
    {
        var (client, _) = await _hub.TenantAsync("timer-scheduled");
        using var _1 = client;
        using var created = await client.PostAsJsonAsync("api/v1/integrations", new { name = "every second", connectorId = "sample", configuration = new { count = 3 }, schedule = "* * * * * *" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        JsonElement runs = default;
        await Eventually.TrueAsync(async () => (runs = await TimerTests.RunsOfAsync(client, id)).GetArrayLength() > 0 && runs[0].GetProperty("status").GetString() == "succeeded", "a scheduled run to succeed", TimeSpan.FromSeconds(60));

        Assert.Contains(_hub.Logs.Lines, l => l.Contains("Executing 'Functions.ScheduleSyncs' (Reason='Timer fired at", StringComparison.Ordinal));
        Assert.DoesNotContain(_hub.Logs.Lines, l => l.Contains("Executing 'Functions.ScheduleSyncs'", StringComparison.Ordinal) && l.Contains("programmatically called via the host APIs", StringComparison.Ordinal));
    }
}
