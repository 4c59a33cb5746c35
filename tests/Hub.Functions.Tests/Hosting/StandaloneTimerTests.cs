using IntegrationHub.Functions.Hosting.CustomHandler;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles;

namespace IntegrationHub.Functions.Tests.Hosting;

/// <summary>Without the Functions host, the hub fires its timer functions itself from their function.json schedules.</summary>
public sealed class StandaloneTimerTests : IDisposable
{
    private readonly string _functions = Directory.CreateTempSubdirectory("hub-functions-").FullName;

    public void Dispose() => Directory.Delete(_functions, recursive: true);

    [Fact]
    public async Task A_timer_fires_on_its_function_json_schedule_through_the_invocation_endpoint()
    {
        Directory.CreateDirectory(Path.Combine(_functions, "EverySecond"));
        await File.WriteAllTextAsync(Path.Combine(_functions, "EverySecond", "function.json"), """
            { "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "tick", "schedule": "* * * * * *" } ] }
            """);
        var timer = new SignallingTimer();
        await using var hub = await HubHost.StartAsync(
            new Dictionary<string, string?> { ["Hosting:RunTimers"] = "true", ["Hosting:FunctionsPath"] = _functions },
            s => s.AddSingleton<ITimerFunction>(timer));

        var context = await timer.Fired.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // It came in as the host would send it: through HTTP, with the timer info under the binding name.
        Assert.NotNull(context.Timer);
        Assert.NotNull(context.Timer!.ScheduleStatus);
        Assert.True(context.Timer.ScheduleStatus!.Next > context.Timer.ScheduleStatus.Last);
        Assert.True(Guid.TryParse(context.InvocationId, out _));
        await Eventually.TrueAsync(() => hub.Logs.Lines.Any(l => l.Contains("Timer function EverySecond completed", StringComparison.Ordinal)), "the invocation's completion log");
    }

    private sealed class SignallingTimer : ITimerFunction
    {
        public TaskCompletionSource<TimerContext> Fired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "EverySecond";

        public Task RunAsync(TimerContext context, CancellationToken cancellationToken)
        {
            Fired.TrySetResult(context);
            return Task.CompletedTask;
        }
    }
}
