using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IntegrationHub.Functions.Hosting;
using IntegrationHub.Functions.Hosting.CustomHandler;
using IntegrationHub.Functions.Tests.Infrastructure;

namespace IntegrationHub.Functions.Tests.Hosting;

/// <summary>Timer functions invoked the way the Functions host invokes a custom handler.</summary>
public sealed class TimerInvocationTests : IAsyncLifetime
{
    private readonly RecordingTimer _recording = new();
    private HubHost _hub = null!;

    public async Task InitializeAsync() => _hub = await HubHost.StartAsync(services: s =>
    {
        s.AddSingleton<ITimerFunction>(_recording);
        s.AddSingleton<ITimerFunction, FailingTimer>();
    });

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    // The payload the host posts for a timer trigger: Data keyed by binding name, Metadata with sys.
    private const string HostPayload = """
        {
          "Data": {
            "timer": {
              "Schedule": { "AdjustForDST": true },
              "ScheduleStatus": { "Last": "2026-01-05T09:00:00+00:00", "Next": "2026-01-05T09:00:30+00:00", "LastUpdated": "2026-01-05T09:00:00+00:00" },
              "IsPastDue": true
            }
          },
          "Metadata": {
            "sys": { "MethodName": "ProbeDependencies", "UtcNow": "2026-01-05T09:00:31.5Z", "RandGuid": "24ad4c06-24ad-4e5b-8294-3da9714877e9" }
          }
        }
        """;

    [Fact]
    public async Task A_host_shaped_invocation_runs_the_timer_function_and_gets_a_host_shaped_answer()
    {
        using var response = await _hub.Client.PostAsync(new Uri("ProbeDependencies", UriKind.Relative), new StringContent(HostPayload, Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var body = JsonDocument.Parse(text);
        Assert.True(body.RootElement.TryGetProperty("Outputs", out _), text);
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("ReturnValue").ValueKind);
        var logs = body.RootElement.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.Contains("cosmos: Reachable", logs);
    }

    [Fact]
    public async Task The_function_sees_the_hosts_timer_info_and_invocation_metadata()
    {
        using var response = await _hub.Client.PostAsync(new Uri(RecordingTimer.FunctionName, UriKind.Relative), new StringContent(HostPayload, Encoding.UTF8, "application/json"));

        response.EnsureSuccessStatusCode();
        var context = _recording.Invocations.Single();
        Assert.True(context.Timer!.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 0, 30, TimeSpan.Zero), context.Timer.ScheduleStatus!.Next);
        Assert.Equal("24ad4c06-24ad-4e5b-8294-3da9714877e9", context.InvocationId);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 0, 31, 500, TimeSpan.Zero), context.InvokedAt);
        var answer = await response.Content.ReadFromJsonAsync<InvocationResponse>();
        Assert.Equal(["recorded"], answer!.Logs);
    }

    [Fact]
    public async Task A_failing_function_answers_an_error_status_with_its_reason_in_the_logs()
    {
        using var response = await _hub.Client.PostAsync(new Uri(FailingTimer.FunctionName, UriKind.Relative), new StringContent(HostPayload, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<InvocationResponse>();
        Assert.Contains(answer!.Logs, l => l.Contains("the downstream queue is full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_payload_that_is_not_json_is_a_bad_request_problem()
    {
        using var response = await _hub.Client.PostAsync(new Uri("ProbeDependencies", UriKind.Relative), new StringContent("{not json", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void The_port_the_host_forwards_to_decides_the_mode()
    {
        var hosted = HostingMode.Detect(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "41001" }).Build());
        var standalone = HostingMode.Detect(new ConfigurationBuilder().Build());

        Assert.True(hosted.UnderFunctionsHost);
        Assert.Equal("http://127.0.0.1:41001", hosted.Urls);
        Assert.False(standalone.UnderFunctionsHost);
        Assert.Equal("http://localhost:7071", standalone.Urls);
    }

    [Fact]
    public void A_malformed_handler_port_names_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "seventy" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => { _ = HostingMode.Detect(configuration); });

        Assert.Contains("FUNCTIONS_CUSTOMHANDLER_PORT", error.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingTimer : ITimerFunction
    {
        public const string FunctionName = "RecordingTimer";

        public List<TimerContext> Invocations { get; } = [];

        public string Name => FunctionName;

        public Task RunAsync(TimerContext context, CancellationToken cancellationToken)
        {
            Invocations.Add(context);
            context.Log("recorded");
            return Task.CompletedTask;
        }
    }

    private sealed class FailingTimer : ITimerFunction
    {
        public const string FunctionName = "FailingTimer";

        public string Name => FunctionName;

        public Task RunAsync(TimerContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("the downstream queue is full");
    }
}
