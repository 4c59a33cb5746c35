using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IntegrationHub.Comparison;
using static IntegrationHub.Comparison.HubLaunch;

namespace IntegrationHub.EngineBench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Hub.EngineBench -- --engine current|legacy [--legacy-dir PATH] [--records N]
/// [--page-size N] [--small-runs N] [--small-size N] [--small-parallel N] [--set Name=Value]... [--no-build] [--skip-large]</c>.
/// Starts one engine with every port free and its state under <c>.hub/engine-bench</c>, runs one large Sample sync and
/// then small manual runs through the HTTP API, prints records/s, pages/s, runs/s, peak RSS per process, CPU per process
/// and the load average with each figure, and stops everything it started. Exit 0 when every run delivered every
/// record, 1 otherwise. <c>current</c>: this checkout's Release build of src/Hub.Functions on the Functions host with
/// Azurite and the Cosmos DB emulator (runs are Durable Functions orchestrations). <c>legacy</c>: a checkout of the
/// engine Durable replaced (commit db766d1: the custom handler with its own lease engine) in standalone mode, with the
/// Cosmos DB emulator only.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        await using var memory = new MemoryMonitor();
        await using var engine = new Engine(options, memory);
        try
        {
            if (options.Build)
            {
                await BuildAsync(options.EngineRoot, stop.Token);
            }

            Console.WriteLine($"{Stamp()} engine {options.Engine} ({options.EngineRoot}, commit {Commit(options.EngineRoot)}), {Environment.ProcessorCount} cores, load {Load()}");
            var ready = await engine.StartAsync(stop.Token);
            Console.WriteLine($"{Stamp()} ready in {ready.TotalSeconds:0.0} s");
            await engine.RunAsync(Math.Min(2_000, options.Records), options.PageSize, "warm-up", stop.Token);

            if (options.Large)
            {
                var cpuBefore = memory.CpuSeconds();
                var loadBefore = Load();
                var large = await engine.RunAsync(options.Records, options.PageSize, "large", stop.Token);
                var cpuAfter = memory.CpuSeconds();
                Console.WriteLine(
                    $"{Stamp()} RESULT large: {large.Published:N0} records in {large.Pages:N0} pages of {options.PageSize:N0}, {large.Elapsed.TotalSeconds:0.0} s: " +
                    $"{large.Published / large.Elapsed.TotalSeconds:N0} records/s, {large.Pages / large.Elapsed.TotalSeconds:0.00} pages/s; load before {loadBefore}, after {Load()}");
                foreach (var (key, seconds) in cpuAfter.OrderBy(c => c.Key.Role, StringComparer.Ordinal))
                {
                    var used = seconds - cpuBefore.GetValueOrDefault(key);
                    Console.WriteLine($"{Stamp()} RESULT cpu {key.Role}: {used:0.0} s, {used * 1000 / (large.Published / 1000.0):0} ms per 1,000 records");
                }
            }

            if (options.SmallRuns > 0)
            {
                var loadBefore = Load();
                var runsPerSecond = await engine.SmallRunsAsync(options.SmallRuns, options.SmallSize, options.SmallParallel, stop.Token);
                Console.WriteLine($"{Stamp()} RESULT small: {options.SmallRuns} runs of {options.SmallSize} records, {options.SmallParallel} at a time: {runsPerSecond:0.00} runs/s; load before {loadBefore}, after {Load()}");
            }

            foreach (var (_, role, peak) in memory.Peaks())
            {
                Console.WriteLine($"{Stamp()} RESULT peak RSS {role}: {peak:N0} MB");
            }

            Console.WriteLine($"{Stamp()} RESULT peak RSS all processes at one moment: {memory.SidePeakMb(options.Engine):N0} MB");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException)
        {
            Console.Error.WriteLine($"{Stamp()} FAILED: {e.Message}");
            return 1;
        }
    }

    internal static string Stamp() => DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The 1-, 5- and 15-minute load averages, as <c>uptime</c> prints them.</summary>
    internal static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Commit(string root)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", root, "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true })!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return commit;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    private static async Task BuildAsync(string root, CancellationToken cancellationToken)
    {
        Console.WriteLine($"{Stamp()} building {root}/src/Hub.Functions (Release)");
        using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", "-c", "Release", "--nologo", "-v", "quiet", "-clp:ErrorsOnly", Path.Combine(root, "src", "Hub.Functions", "Hub.Functions.csproj")]))!;
        await build.WaitForExitAsync(cancellationToken);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"The build of {root} failed.");
        }
    }
}

/// <summary>The command line.</summary>
internal sealed record Options
{
    public string Engine { get; init; } = "current";

    public string EngineRoot { get; init; } = "";

    public long Records { get; init; } = 1_000_000;

    public int PageSize { get; init; } = 1_000;

    public int SmallRuns { get; init; } = 40;

    public long SmallSize { get; init; } = 100;

    public int SmallParallel { get; init; } = 4;

    public bool Build { get; init; } = true;

    public bool Large { get; init; } = true;

    public int NodeHeapMb { get; init; } = 8_192;

    public string StateDir { get; init; } = "";

    /// <summary>Extra app settings (<c>Runs__PagesPerGeneration=100</c>, ...), over the sample settings.</summary>
    public Dictionary<string, string> Settings { get; init; } = new(StringComparer.Ordinal);

    public static Options Parse(string[] args)
    {
        var root = FindRoot();
        string? legacyDir = null;
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--engine":
                    options = options with { Engine = Next() };
                    break;
                case "--legacy-dir":
                    legacyDir = Path.GetFullPath(Next());
                    break;
                case "--records":
                    options = options with { Records = long.Parse(Next().Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) };
                    break;
                case "--page-size":
                    options = options with { PageSize = int.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--small-runs":
                    options = options with { SmallRuns = int.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--small-size":
                    options = options with { SmallSize = long.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--small-parallel":
                    options = options with { SmallParallel = int.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--node-heap-mb":
                    options = options with { NodeHeapMb = int.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--set":
                    var pair = Next().Split('=', 2);
                    options.Settings[pair[0]] = pair.Length == 2 ? pair[1] : throw new ArgumentException("--set takes Name=Value.");
                    break;
                case "--no-build":
                    options = options with { Build = false };
                    break;
                case "--skip-large":
                    options = options with { Large = false };
                    break;
                default:
                    throw new ArgumentException($"Unknown argument {args[i]}.");
            }
        }

        if (options.Engine is not ("current" or "legacy"))
        {
            throw new ArgumentException("--engine is current or legacy.");
        }

        if (options.Engine == "legacy" && (legacyDir is null || !File.Exists(Path.Combine(legacyDir, "IntegrationHub.sln"))))
        {
            throw new ArgumentException("--engine legacy needs --legacy-dir: a checkout of commit db766d1 (git worktree add /work/wt/old-engine db766d1).");
        }

        if (options.Records < 1 || options.PageSize < 1 || options.SmallParallel < 1 || options.SmallRuns < 0)
        {
            throw new ArgumentException("Records, page size and parallelism must be positive.");
        }

        return options with
        {
            EngineRoot = options.Engine == "legacy" ? legacyDir! : root,
            StateDir = Path.Combine(root, ".hub", "engine-bench", options.Engine),
        };
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "IntegrationHub.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new ArgumentException("Run from inside the repository.");
    }
}

/// <summary>One run's outcome.</summary>
internal sealed record RunResult(long Published, long Pages, TimeSpan Elapsed);

/// <summary>One engine with its stores, on free ports, driven through the hub's HTTP API (the same API in both commits).</summary>
internal sealed class Engine(Options options, MemoryMonitor memory) : IAsyncDisposable
{
    private readonly string _adminKey = "bench-admin-" + Guid.NewGuid().ToString("N");
    private readonly ProcessGroup _processes = new();
    private HttpClient? _http;
    private string? _credentialId;
    private int _integrations;

    public async Task<TimeSpan> StartAsync(CancellationToken cancellationToken)
    {
        var root = options.EngineRoot;
        var app = Path.Combine(root, "src", "Hub.Functions", "bin", "Release", "net10.0");
        if (!File.Exists(Path.Combine(app, "Hub.Functions.dll")))
        {
            throw new InvalidOperationException($"No Release build in {app}: run without --no-build.");
        }

        var state = options.StateDir;
        if (Directory.Exists(state))
        {
            Directory.Delete(state, recursive: true);
        }

        Directory.CreateDirectory(state);
        var (blob, queue, table, cosmos, port) = (FreePort(), FreePort(), FreePort(), FreePort(), FreePort());
        var node = new Dictionary<string, string?> { ["NODE_OPTIONS"] = $"--max-old-space-size={options.NodeHeapMb}" };
        var benchRoot = FindRepoRootOfThisBench(); // its tools/ (Azurite, emulator) for either engine
        var started = DateTime.UtcNow;
        var side = options.Engine;

        // The same emulator (this checkout's tools/cosmos) for both engines: only the engine differs.
        var emulator = Track(StartEmulator(benchRoot, state, cosmos, node));
        memory.Watch(emulator.Pid, side, _ => "Cosmos emulator");
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitAsync(emulator, async () => (await TryGetAsync(probe, $"http://127.0.0.1:{cosmos}/")) is not null, TimeSpan.FromSeconds(60), cancellationToken);

        var settings = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "local.settings.sample.json"), cancellationToken))!.AsObject();
        var values = settings["Values"]!.AsObject();
        values["Cosmos__Endpoint"] = $"http://127.0.0.1:{cosmos}/";
        values["Auth__AdminKey"] = _adminKey;
        values["Secrets__LocalKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        values["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "";
        foreach (var (name, value) in options.Settings)
        {
            values[name] = value;
        }

        ManagedProcess engine;
        if (options.Engine == "current")
        {
            var azurite = Track(StartAzurite(benchRoot, state, blob, queue, table, node));
            memory.Watch(azurite.Pid, side, _ => "Azurite");
            values["AzureWebJobsStorage"] = AzuriteConnectionString(blob, queue, table);
            settings["Host"] = new JsonObject { ["LocalHttpPort"] = port };
            var settingsFile = Path.Combine(state, "local.settings.json");
            await File.WriteAllTextAsync(settingsFile, settings.ToJsonString(), cancellationToken);
            engine = Track(StartHost(root, app, port, settingsFile, state));
            memory.Watch(engine.Pid, side, commandLine => commandLine.Contains("Hub.Functions", StringComparison.Ordinal) ? "worker" : "host");
        }
        else
        {
            // Standalone (README of db766d1): no FUNCTIONS_CUSTOMHANDLER_PORT; settings from local.settings.json; its own timers.
            values["Hosting__Urls"] = $"http://127.0.0.1:{port}";
            values["Hosting__FunctionsPath"] = Path.Combine(app, "Functions");
            var settingsFile = Path.Combine(state, "local.settings.json");
            await File.WriteAllTextAsync(settingsFile, settings.ToJsonString(), cancellationToken);
            var environment = values.ToDictionary(v => v.Key, v => (string?)v.Value?.ToString());
            environment["Hosting__LocalSettingsPath"] = settingsFile;
            environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = null;
            environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            engine = Track(ManagedProcess.Start("legacy handler", "dotnet", [Path.Combine(app, "Hub.Functions.dll")], Path.Combine(state, "handler.log"), environment, workingDirectory: state));
            memory.Watch(engine.Pid, side, _ => "worker (standalone handler)");
        }

        await WaitAsync(engine, async () => (await TryGetAsync(probe, $"http://127.0.0.1:{port}/api/health")) is { StatusCode: HttpStatusCode.OK }, TimeSpan.FromSeconds(600), cancellationToken);
        var ready = DateTime.UtcNow - started;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(100) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _adminKey);
        await Json(await _http.PostAsJsonAsync("api/v1/tenants", new { id = "bench", displayName = "Bench" }, cancellationToken), cancellationToken);
        var key = await Json(await _http.PostAsJsonAsync("api/v1/tenants/bench/api-keys", new { name = "bench" }, cancellationToken), cancellationToken);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)key["key"]!);
        return ready;
    }

    /// <summary>One sync of a new Sample integration of <paramref name="records"/> records, polled to its end.</summary>
    public async Task<RunResult> RunAsync(long records, int pageSize, string label, CancellationToken cancellationToken)
    {
        var integration = await CreateIntegrationAsync(records, pageSize, cancellationToken);
        var requested = DateTimeOffset.UtcNow;
        var (published, pages, completed) = await RunOnceAsync(integration, records >= 100_000 ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(100), label, cancellationToken);
        if (published != records)
        {
            throw new InvalidOperationException($"{label}: a run of {records:N0} records published {published:N0}.");
        }

        return new RunResult(published, pages, completed - requested);
    }

    /// <summary>Runs/s of <paramref name="runs"/> manual runs of <paramref name="records"/> records, <paramref name="parallel"/> at a time, each on its own integration.</summary>
    public async Task<double> SmallRunsAsync(int runs, long records, int parallel, CancellationToken cancellationToken)
    {
        var integrations = new List<string>();
        for (var i = 0; i < runs; i++)
        {
            integrations.Add(await CreateIntegrationAsync(records, (int)Math.Min(records, 1_000), cancellationToken));
        }

        var next = -1;
        var started = DateTimeOffset.UtcNow;
        var ends = new DateTimeOffset[runs];
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < runs)
            {
                var (published, _, completed) = await RunOnceAsync(integrations[index], TimeSpan.FromMilliseconds(100), "small", cancellationToken);
                if (published != records)
                {
                    throw new InvalidOperationException($"small: a run published {published} of {records} records.");
                }

                ends[index] = completed;
            }
        }));
        return runs / (ends.Max() - started).TotalSeconds;
    }

    private async Task<(long Published, long Pages, DateTimeOffset Completed)> RunOnceAsync(string integration, TimeSpan poll, string label, CancellationToken cancellationToken)
    {
        var http = _http!;
        using var start = await http.PostAsync($"api/v1/integrations/{integration}/run", null, cancellationToken);
        var runId = (string)(await Json(start, cancellationToken))["id"]!;
        var lastReport = Stopwatch.StartNew();
        while (true)
        {
            await Task.Delay(poll, cancellationToken);
            using var response = await http.GetAsync($"api/v1/runs/{runId}", cancellationToken);
            var run = await Json(response, cancellationToken);
            var status = (string?)run["status"];
            if (status is "succeeded" or "failed" or "cancelled")
            {
                if (status != "succeeded")
                {
                    throw new InvalidOperationException($"{label}: run {runId} {status}: {run["error"]}");
                }

                var completed = DateTimeOffset.Parse((string)run["completedAt"]!, CultureInfo.InvariantCulture);
                return ((long)run["progress"]!["recordsPublished"]!, (long)run["progress"]!["pages"]!, completed);
            }

            if (lastReport.Elapsed > TimeSpan.FromSeconds(60))
            {
                lastReport.Restart();
                Console.WriteLine($"{Program.Stamp()} {label}: {status}, {(long?)run["progress"]?["recordsPublished"] ?? 0:N0} published, load {Program.Load()}");
            }
        }
    }

    private async Task<string> CreateIntegrationAsync(long records, int pageSize, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _integrations);
        var body = new JsonObject
        {
            ["name"] = $"bench {number}: {records} records",
            ["connectorId"] = "sample",
            ["stream"] = "events",
            ["configuration"] = new JsonObject { ["count"] = records, ["pageSize"] = pageSize },
        };
        if (_credentialId is not null)
        {
            body["credentialId"] = _credentialId;
        }

        using var response = await _http!.PostAsJsonAsync("api/v1/integrations", body, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest && _credentialId is null && (await response.Content.ReadAsStringAsync(cancellationToken)).Contains("credentialId", StringComparison.Ordinal))
        {
            // An engine whose connectors all need a credential: an empty one for the Sample connector.
            var credential = await Json(await _http!.PostAsJsonAsync("api/v1/credentials", new { connectorId = "sample", name = "bench", values = new { } }, cancellationToken), cancellationToken);
            _credentialId = (string)credential["id"]!;
            return await CreateIntegrationAsync(records, pageSize, cancellationToken);
        }

        return (string)(await Json(response, cancellationToken))["id"]!;
    }

    public async ValueTask DisposeAsync()
    {
        memory.Sample();
        _http?.Dispose();
        await _processes.StopAllAsync();
    }

    private ManagedProcess Track(ManagedProcess process) => _processes.Track(process);

    // The tools (Azurite, emulator) and the Functions host kit come from the checkout this benchmark is in.
    private static string FindRepoRootOfThisBench()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IntegrationHub.sln")))
            {
                return directory.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
