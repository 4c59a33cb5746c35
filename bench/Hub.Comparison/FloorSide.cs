using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using static IntegrationHub.Comparison.HubLaunch;

namespace IntegrationHub.Comparison;

/// <summary>
/// The floor of a small run on the hub's runtime: bench/Hub.DurableFloor (one HTTP request that starts an orchestration
/// whose one activity does nothing, answered when the activity has run) on the same Functions host, host.json,
/// Durable settings and Azurite as the hub, without Cosmos DB, the source or any hub code. It takes part in the small
/// runs only: its runs/s is the most any code on Durable Functions with the Azure Storage provider gets on this machine
/// with one orchestration and one activity per run, so a goal above it is out of reach of the hub's own code.
/// </summary>
internal sealed class FloorSide(Options options, MemoryMonitor memory) : ISide
{
    private readonly string _state = Path.Combine(options.StateDir, "floor");
    private readonly ProcessGroup _processes = new();
    private HttpClient? _http;

    public string Name => "floor";

    public async Task<TimeSpan> StartAsync(CancellationToken cancellationToken)
    {
        var root = options.RepoRoot;
        var app = ReleaseAppWithFreshState(root, Path.Combine("bench", "Hub.DurableFloor"), "Hub.DurableFloor.dll", _state);
        var (blob, queue, table, port) = (FreePort(), FreePort(), FreePort(), FreePort());
        var settingsFile = Path.Combine(_state, "local.settings.json");
        await File.WriteAllTextAsync(settingsFile, Settings(root, blob, queue, table, port).ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);

        Console.WriteLine($"floor: starting Azurite and the Functions host on http://127.0.0.1:{port} (state {_state})");
        var started = DateTime.UtcNow;
        var azurite = Track(StartAzurite(root, _state, blob, queue, table, new Dictionary<string, string?> { ["NODE_OPTIONS"] = $"--max-old-space-size={options.NodeHeapMb}" }));
        memory.Watch(azurite.Pid, Name, _ => "Azurite");
        var host = Track(StartHost(root, app, port, settingsFile, _state));
        memory.Watch(host.Pid, Name, commandLine => commandLine.Contains("Hub.DurableFloor", StringComparison.Ordinal) ? "worker" : "host");
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitAsync(host, async () => (await TryGetAsync(probe, $"http://127.0.0.1:{port}/api/floor/health")) is { StatusCode: HttpStatusCode.OK }, TimeSpan.FromSeconds(options.StartTimeoutSeconds), cancellationToken);
        var ready = DateTime.UtcNow - started;
        Console.WriteLine($"floor: ready in {ready.TotalSeconds:0.0} s");
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(100) };
        return ready;
    }

    /// <summary>The warm-up (the floor has no records): 20 runs, 4 at a time; answers their time with 0 records.</summary>
    public async Task<RunResult> RunAsync(long records, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await SmallRunsAsync(20, 0, 4, cancellationToken);
        return new RunResult(0, clock.Elapsed);
    }

    public async Task<double> SmallRunsAsync(int runs, long records, int parallel, CancellationToken cancellationToken)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        var latencies = new double[runs];
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < runs)
            {
                var run = Stopwatch.StartNew();
                await RunOnceAsync(cancellationToken);
                latencies[index] = run.Elapsed.TotalMilliseconds;
            }
        }));

        var elapsed = clock.Elapsed;
        var sorted = latencies.Order().ToList();
        Console.WriteLine($"floor: run latency, median/p90/max ms: {sorted[runs / 2]:0}/{sorted[(int)(runs * 0.9)]:0}/{sorted[^1]:0}");
        return runs / elapsed.TotalSeconds;
    }

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var answer = await Json(await _http!.PostAsync("api/floor/runs", null, cancellationToken), cancellationToken);
        if (answer["id"] is null)
        {
            throw new InvalidOperationException($"floor: the run answered {answer.ToJsonString()}.");
        }
    }

    public async Task StopAsync()
    {
        memory.Sample();
        _http?.Dispose();
        _http = null;
        await _processes.StopAllAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private ManagedProcess Track(ManagedProcess process) => _processes.Track(process);

    // The hub's runtime settings (worker runtime, task hub name, the Durable storage provider's queue settings) from
    // local.settings.sample.json, nothing of the hub's own.
    private static JsonObject Settings(string root, int blob, int queue, int table, int port)
    {
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "local.settings.sample.json")))!["Values"]!.AsObject();
        var values = new JsonObject();
        foreach (var (key, value) in sample)
        {
            if (key is "FUNCTIONS_WORKER_RUNTIME" or "AZURE_FUNCTIONS_ENVIRONMENT" or "DurableTask__HubName" || key.StartsWith("AzureFunctionsJobHost__", StringComparison.Ordinal))
            {
                values[key] = value?.DeepClone();
            }
        }

        values["AzureWebJobsStorage"] = AzuriteConnectionString(blob, queue, table);
        return new JsonObject { ["IsEncrypted"] = false, ["Values"] = values, ["Host"] = new JsonObject { ["LocalHttpPort"] = port } };
    }
}
