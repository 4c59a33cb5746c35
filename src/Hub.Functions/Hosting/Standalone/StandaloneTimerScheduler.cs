using System.Globalization;
using IntegrationHub.Functions.Hosting.CustomHandler;
using IntegrationHub.Shared.Scheduling;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Hosting.Standalone;

/// <summary>
/// Standalone mode's stand-in for the Functions host's timer triggers: reads every timer function's
/// <c>function.json</c>, and on each occurrence of its NCRONTAB schedule posts the host's invocation
/// payload to the hub's own <c>/{FunctionName}</c> endpoint over loopback, so a timer runs through
/// exactly the code path it takes under the host.
/// </summary>
internal sealed class StandaloneTimerScheduler(
    HostingMode mode,
    IOptions<HostingOptions> options,
    IServer server,
    IHostApplicationLifetime lifetime,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<StandaloneTimerScheduler> logger) : BackgroundService
{
    /// <summary>The named HttpClient the scheduler posts invocations with.</summary>
    public const string HttpClientName = "standalone-timers";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Under the Functions host the host fires timers; the hub fires them only on its own.
        if (mode.UnderFunctionsHost || !options.Value.RunTimers)
        {
            return;
        }

        // Invocations go to the listening address, which is only known once the server has started.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }

        var baseAddress = LoopbackAddress();
        var timers = FunctionDefinition.LoadAll(options.Value.ResolvedFunctionsPath).Where(f => f.IsTimer).ToList();
        foreach (var timer in timers)
        {
            Logs.StandaloneTimerScheduled(logger, timer.Name, timer.Trigger.Schedule ?? string.Empty);
        }

        await Task.WhenAll(timers.Select(t => RunTimerAsync(t, baseAddress, stoppingToken)));
    }

    private async Task RunTimerAsync(FunctionDefinition function, Uri baseAddress, CancellationToken stoppingToken)
    {
        var schedule = IntegrationSchedule.Parse(function.Trigger.Schedule ?? string.Empty);
        var last = time.GetUtcNow();
        if (function.Trigger.RunOnStartup)
        {
            await InvokeAsync(function, baseAddress, last, schedule.GetNextOccurrence(last) ?? last, isPastDue: false, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (schedule.GetNextOccurrence(now) is not { } due)
            {
                return;
            }

            try
            {
                await Task.Delay(due - now, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var next = schedule.GetNextOccurrence(due) ?? due;

            // Late by more than a whole period (a long GC pause, a suspended laptop): say so, as the host does.
            var isPastDue = time.GetUtcNow() > next;
            await InvokeAsync(function, baseAddress, last, next, isPastDue, stoppingToken);
            last = due;
        }
    }

    private async Task InvokeAsync(FunctionDefinition function, Uri baseAddress, DateTimeOffset last, DateTimeOffset next, bool isPastDue, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var payload = new
        {
            Data = new Dictionary<string, object>
            {
                [function.Trigger.Name] = new TimerInfo
                {
                    Schedule = new TimerScheduleInfo(AdjustForDst: true),
                    ScheduleStatus = new TimerScheduleStatus(last, next, now),
                    IsPastDue = isPastDue,
                },
            },
            Metadata = new Dictionary<string, object>
            {
                ["sys"] = new Dictionary<string, string>
                {
                    ["MethodName"] = function.Name,
                    ["UtcNow"] = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                    ["RandGuid"] = Guid.NewGuid().ToString(),
                },
            },
        };

        try
        {
            using var client = httpClients.CreateClient(HttpClientName);
            using var response = await client.PostAsJsonAsync(new Uri(baseAddress, function.Name), payload, stoppingToken);
            if (!response.IsSuccessStatusCode)
            {
                Logs.StandaloneTimerFailed(logger, function.Name, (int)response.StatusCode);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
        {
            Logs.StandaloneTimerUnreachable(logger, function.Name, e.Message);
        }
    }

    private Uri LoopbackAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no listening address to invoke timer functions on.");
        var uri = new Uri(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal));
        var host = uri.Host is "localhost" or "0.0.0.0" ? "127.0.0.1" : uri.Host;
        return new UriBuilder(uri.Scheme, host, uri.Port, "/").Uri;
    }
}
