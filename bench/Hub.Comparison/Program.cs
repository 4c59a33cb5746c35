using System.Diagnostics;
using System.Globalization;
using IntegrationHub.Comparison;

// IntegrationHub vs n8n on one job (issue 17): a loopback paged JSON source (~300 B records, 1,000 a page, until
// an empty page) → read every page → map 3 fields → the default sink. Starts and stops everything itself,
// interleaves the two sides' runs and prints medians and ratios. Figures, not assertions: exit 0 when every run
// delivered every record, whatever the figures.
//   dotnet run -c Release --project bench/Hub.Comparison -- --sizes 10000,100000 --repeats 3
Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("Usage: Hub.Comparison [--sizes 10000,100000,1000000] [--repeats 3] [--small-runs 50] [--small-size 100] [--small-parallel 4] [--warmup-size 2000] [--node-heap-mb 8192] [--state-dir DIR] [--no-build] [--no-hotpath] [--paced] [--hub-only] [--emulator-in-memory] [--no-floor] [--azurite-log FILE]");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var loadBefore = LoadAverage();
Console.WriteLine($"comparison: sizes {string.Join(", ", options.Sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))}, {options.Repeats} runs each, {options.SmallRuns} small runs of {options.SmallSize} records {options.SmallParallel} at a time; hub REST pacing {(options.Paced ? "on (default)" : "off")}; load average {loadBefore}");
if (options.Build && !await PrepareAsync(options, cancel.Token))
{
    return 1;
}

Directory.CreateDirectory(options.StateDir);
await using var source = await PagedSource.StartAsync();
Console.WriteLine($"source: {source.BaseUrl}/records/{{total}}?page=N");
var memory = new MemoryMonitor();
var hub = new HubSide(options, source, memory);
var n8n = new N8nSide(options, source, memory);
ISide[] sides = options.HubOnly ? [hub] : [hub, n8n];

// The Durable Functions floor takes part in the small runs only (it has no records to sync).
ISide[] smallSides = options.Floor ? [.. sides, new FloorSide(options, memory)] : sides;
var coldStart = new Dictionary<string, TimeSpan>();
var throughput = options.Sizes.ToDictionary(s => s, _ => sides.ToDictionary(side => side.Name, _ => new List<double>()));
var smallRuns = smallSides.ToDictionary(side => side.Name, _ => new List<double>());
var cpuPerSize = options.Sizes.ToDictionary(s => s, _ => new Dictionary<(string Side, string Role), double>());
var recordsPerSize = options.Sizes.ToDictionary(s => s, _ => new Dictionary<string, long>());
var cpuSmall = new Dictionary<(string Side, string Role), double>();
var peaksPerSize = new Dictionary<long, (IReadOnlyList<(string Side, string Role, double PeakMb)> Roles, Dictionary<string, double> Sums)>();
var smallRunsDone = new Dictionary<string, int>();
var failures = new List<string>();
try
{
    foreach (var side in smallSides)
    {
        coldStart[side.Name] = await side.StartAsync(cancel.Token);
    }

    // Untimed: JIT, connection pools and first-use paths on every side; checks the output's shape on n8n.
    foreach (var side in smallSides)
    {
        var warm = await side.RunAsync(options.WarmupSize, cancel.Token);
        Console.WriteLine($"{side.Name}: warm-up {warm.Records:N0} records in {warm.Elapsed.TotalSeconds:0.00} s");
    }

    foreach (var size in options.Sizes)
    {
        // Each size's own peaks (so "flat from 10,000 to 1,000,000" is read off one run, not the run's lifetime peak).
        memory.ResetPeaks();
        for (var repeat = 0; repeat < options.Repeats; repeat++)
        {
            // Interleaved, and who goes first alternates, so a drift in machine load touches both sides alike.
            foreach (var side in repeat % 2 == 0 ? sides : sides.Reverse())
            {
                await SettleAsync();
                var cpuBefore = memory.CpuSeconds();
                var ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
                RunResult result;
                try
                {
                    result = await side.RunAsync(size, cancel.Token);
                }
                catch (Exception e) when (IsRunFailure(e))
                {
                    // One run failing (n8n out of memory at a large size, say) is a result too: noted, and the rest goes on.
                    failures.Add($"{side.Name} at {size:N0} records, run {repeat + 1}: {Describe(e)}");
                    Console.Error.WriteLine($"{side.Name}: {size,9:N0} records FAILED: {Describe(e)}");
                    continue;
                }

                var own = (side.Name, "source (this process)");
                cpuPerSize[size][own] = cpuPerSize[size].GetValueOrDefault(own) + (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds;
                foreach (var (key, seconds) in memory.CpuSeconds().Where(c => c.Key.Side == side.Name))
                {
                    cpuPerSize[size][key] = cpuPerSize[size].GetValueOrDefault(key) + seconds - cpuBefore.GetValueOrDefault(key);
                }

                recordsPerSize[size][side.Name] = recordsPerSize[size].GetValueOrDefault(side.Name) + result.Records;
                throughput[size][side.Name].Add(result.RecordsPerSecond);
                Console.WriteLine($"{side.Name}: {size,9:N0} records in {result.Elapsed.TotalSeconds,7:0.00} s = {result.RecordsPerSecond,9:N0} records/s  (run {repeat + 1}/{options.Repeats}, load {LoadAverage()})");
            }
        }

        peaksPerSize[size] = (memory.Peaks(), sides.ToDictionary(side => side.Name, side => memory.SidePeakMb(side.Name)));
    }

    // Untimed: the small runs' own first-use paths (4 runs at once, the start that waits) on every side; without it
    // the hub's first round ran at 15-18 runs/s and its later ones at 24-26, while n8n's did not move.
    foreach (var side in smallSides)
    {
        await side.SmallRunsAsync(20, options.SmallSize, options.SmallParallel, cancel.Token);
    }

    for (var repeat = 0; repeat < options.Repeats; repeat++)
    {
        foreach (var side in repeat % 2 == 0 ? smallSides : smallSides.Reverse())
        {
            await SettleAsync();
            double rate;
            var cpuBefore = memory.CpuSeconds();
            var ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
            try
            {
                rate = await side.SmallRunsAsync(options.SmallRuns, options.SmallSize, options.SmallParallel, cancel.Token);
            }
            catch (Exception e) when (IsRunFailure(e))
            {
                failures.Add($"{side.Name} small runs, round {repeat + 1}: {Describe(e)}");
                Console.Error.WriteLine($"{side.Name}: small runs FAILED: {Describe(e)}");
                continue;
            }

            var own = (side.Name, "source (this process)");
            cpuSmall[own] = cpuSmall.GetValueOrDefault(own) + (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds;
            foreach (var (key, seconds) in memory.CpuSeconds().Where(c => c.Key.Side == side.Name))
            {
                cpuSmall[key] = cpuSmall.GetValueOrDefault(key) + seconds - cpuBefore.GetValueOrDefault(key);
            }

            smallRunsDone[side.Name] = smallRunsDone.GetValueOrDefault(side.Name) + options.SmallRuns;
            smallRuns[side.Name].Add(rate);
            Console.WriteLine($"{side.Name}: {options.SmallRuns} runs of {options.SmallSize} records, {options.SmallParallel} at a time = {rate:0.00} runs/s  (round {repeat + 1}/{options.Repeats})");
        }
    }
}
catch (Exception e) when (IsRunFailure(e) || e is OperationCanceledException)
{
    failures.Add($"stopped: {Describe(e)}");
    Console.Error.WriteLine($"comparison: {Describe(e)}");
}
finally
{
    memory.Sample();
    foreach (var side in smallSides)
    {
        await side.StopAsync();
    }

    await memory.DisposeAsync();
}

var loadAfter = LoadAverage();
Report();
if (failures.Count == 0 && options.HotPath)
{
    await HotPathAsync(options);
}

return failures.Count == 0 ? 0 : 1;

// Before every timed run: the processes of every side quiet (under a tenth of a core for half a second, at most 30 s),
// so a side's tail work after its run (n8n saving the execution's data, say) never lands in the other side's timing.
async Task SettleAsync()
{
    var waited = await memory.QuietAsync(0.1, TimeSpan.FromSeconds(30), cancel.Token);
    if (waited > TimeSpan.FromSeconds(2))
    {
        Console.WriteLine($"comparison: waited {waited.TotalSeconds:0.0} s for the machine to settle");
    }
}

bool IsRunFailure(Exception e) =>
    e is InvalidOperationException or TimeoutException or HttpRequestException || (e is OperationCanceledException && !cancel.IsCancellationRequested);

static string Describe(Exception e) => $"{e.Message}{(e.InnerException is { } inner ? $" ({inner.Message})" : "")}";

void Report()
{
    Console.WriteLine();
    Console.WriteLine($"IntegrationHub vs n8n: loopback paged source, {SourceRecords.PageSize:N0} records a page, ~300 B a record, 3 fields mapped; medians of {options.Repeats}");
    Console.WriteLine($"load average before {loadBefore}, after {loadAfter}{(IsLoaded(loadBefore) || IsLoaded(loadAfter) ? "  -- MACHINE UNDER LOAD: indicative only, not final figures" : "")}");
    Console.WriteLine($"{"",-40} {"hub",12} {"n8n",12} {"hub/n8n",8}");
    foreach (var size in options.Sizes)
    {
        Row($"records/s at {size:N0}", throughput[size]["hub"], throughput[size].GetValueOrDefault("n8n", []), "N0");
    }

    Row($"runs/s ({options.SmallRuns} x {options.SmallSize} records, {options.SmallParallel} at a time)", smallRuns["hub"], smallRuns.GetValueOrDefault("n8n", []), "0.00");
    if (smallRuns.TryGetValue("floor", out var floorRuns))
    {
        // The floor against n8n, and the hub against the floor: what the runtime allows, and how much of it the hub uses.
        Row("  Durable floor, runs/s (no hub code)", floorRuns, smallRuns.GetValueOrDefault("n8n", []), "0.00");
        var (hubRate, floorRate) = (Median(smallRuns["hub"]), Median(floorRuns));
        Console.WriteLine($"{"  hub / Durable floor",-40} {hubRate / floorRate,12:0.00}");
    }

    if (coldStart.TryGetValue("hub", out var hubStart) && coldStart.TryGetValue("n8n", out var n8nStart))
    {
        Console.WriteLine($"{"cold start to ready, s (lower is better)",-40} {hubStart.TotalSeconds,12:0.0} {n8nStart.TotalSeconds,12:0.0} {hubStart / n8nStart,8:0.00}");
    }

    // Where the time goes: CPU per 1,000 records of each process during the timed runs of the largest size.
    var largest = options.Sizes.Max();
    if (cpuPerSize[largest].Count > 0)
    {
        Console.WriteLine();
        Console.WriteLine($"CPU ms per 1,000 records, by process (timed runs at {largest:N0}; 2 cores = 2,000 ms/s)");
        foreach (var ((side, role), seconds) in cpuPerSize[largest].OrderBy(c => c.Key.Side, StringComparer.Ordinal).ThenByDescending(c => c.Value))
        {
            // Only runs that completed count (a failed run's CPU is left out with its records).
            if (recordsPerSize[largest].GetValueOrDefault(side) is > 0 and var records)
            {
                Console.WriteLine($"  {side,-4} {role,-22} {seconds * 1_000_000 / records,8:N0}");
            }
        }
    }

    // The fixed cost of a run: CPU per small run of each process (the integrations' creation, untimed, included on the hub).
    if (cpuSmall.Count > 0)
    {
        Console.WriteLine();
        Console.WriteLine($"CPU ms per small run ({options.SmallSize:N0} records), by process (all rounds)");
        foreach (var ((side, role), seconds) in cpuSmall.OrderBy(c => c.Key.Side, StringComparer.Ordinal).ThenByDescending(c => c.Value))
        {
            if (smallRunsDone.GetValueOrDefault(side) is > 0 and var count)
            {
                Console.WriteLine($"  {side,-4} {role,-22} {seconds * 1_000 / count,8:N0}");
            }
        }
    }

    foreach (var failure in failures)
    {
        Console.WriteLine($"FAILED: {failure}");
    }

    if (peaksPerSize.Count > 0)
    {
        // Per size: each process's peak during that size's runs only, and each side's largest sampled sum.
        var sizes = options.Sizes.Where(peaksPerSize.ContainsKey).ToList();
        Console.WriteLine();
        Console.WriteLine($"peak RSS (VmHWM) by size, MB{string.Concat(sizes.Select(size => $" {size,12:N0}"))}");
        foreach (var (side, role) in peaksPerSize[sizes[^1]].Roles.Where(r => sides.Any(s => s.Name == r.Side)).Select(r => (r.Side, r.Role)).Distinct())
        {
            Console.WriteLine($"  {side,-4} {role,-22}{string.Concat(sizes.Select(size => $" {peaksPerSize[size].Roles.Where(r => r.Side == side && r.Role == role).Select(r => r.PeakMb).DefaultIfEmpty().Max(),12:N0}"))}");
        }

        foreach (var side in sides)
        {
            Console.WriteLine($"  {side.Name,-4} {"all (sampled sum)",-22}{string.Concat(sizes.Select(size => $" {peaksPerSize[size].Sums.GetValueOrDefault(side.Name),12:N0}"))}");
        }
    }

    Console.WriteLine();
    Console.WriteLine($"peak RSS (VmHWM) from the runs of {options.Sizes[^1]:N0} records to the end (the small runs included), MB");
    var peaks = memory.Peaks();
    foreach (var (side, role, peak) in peaks)
    {
        Console.WriteLine($"  {side,-4} {role,-22} {peak,8:N0}");
    }

    foreach (var side in new[] { "hub", "n8n", "floor" })
    {
        Console.WriteLine($"  {side,-4} {"all (sampled sum)",-22} {memory.SidePeakMb(side),8:N0}");
    }
}

void Row(string name, List<double> hubValues, List<double> n8nValues, string format)
{
    var (h, n) = (Median(hubValues), Median(n8nValues));
    Console.WriteLine($"{name,-40} {Text(h, format),12} {Text(n, format),12} {(h > 0 && n > 0 ? (h / n).ToString("0.00", CultureInfo.InvariantCulture) : "-"),8}");
}

static string Text(double value, string format) => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

static double Median(List<double> values)
{
    if (values.Count == 0)
    {
        return double.NaN;
    }

    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

static bool IsLoaded(string load) => double.Parse(load.Split(' ')[0], CultureInfo.InvariantCulture) >= 3;

// The build and installs scripts/run.sh does (the dashboard aside: the API does not need it), before any clock starts.
static async Task<bool> PrepareAsync(Options options, CancellationToken cancellationToken)
{
    var steps = new List<(string File, string[] Arguments)>();
    foreach (var tool in new[] { "azurite", "cosmos" })
    {
        if (!Directory.Exists(Path.Combine(options.RepoRoot, "tools", tool, "node_modules")))
        {
            steps.Add(("npm", ["ci", "--prefix", Path.Combine(options.RepoRoot, "tools", tool), "--no-audit", "--no-fund", "--loglevel=error"]));
        }
    }

    steps.Add(("dotnet", ["build", Path.Combine(options.RepoRoot, "src", "Hub.Functions"), "-c", "Release", "--nologo", "-v", "quiet", "-clp:ErrorsOnly"]));
    if (options.Floor)
    {
        steps.Add(("dotnet", ["build", Path.Combine(options.RepoRoot, "bench", "Hub.DurableFloor"), "-c", "Release", "--nologo", "-v", "quiet", "-clp:ErrorsOnly"]));
    }

    if (options.HotPath)
    {
        steps.Add(("dotnet", ["build", Path.Combine(options.RepoRoot, "bench", "Hub.Benchmarks"), "-c", "Release", "--nologo", "-v", "quiet", "-clp:ErrorsOnly"]));
    }

    steps.Add((Path.Combine(options.RepoRoot, "scripts", "n8n-install.sh"), []));
    foreach (var (file, arguments) in steps)
    {
        Console.WriteLine($"prepare: {Path.GetFileName(file)} {string.Join(' ', arguments.Take(2))}");
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardOutput = true }) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"prepare: {file} failed ({process.ExitCode}){Environment.NewLine}{output}");
            return false;
        }
    }

    return true;
}

// The worker's allocations and time per record on the job's hot path, in process (bench/Hub.Benchmarks hotpath).
static async Task HotPathAsync(Options options)
{
    var command = "dotnet run -c Release --project bench/Hub.Benchmarks -- hotpath";
    var dll = Path.Combine(options.RepoRoot, "bench", "Hub.Benchmarks", "bin", "Release", "net10.0", "Hub.Benchmarks.dll");
    Console.WriteLine();
    if (!File.Exists(dll))
    {
        Console.WriteLine($"hub worker per record: not built (--no-build); run `{command}`.");
        return;
    }

    Console.WriteLine($"hub worker per record, in process (`{command}`):");
    using var process = Process.Start(new ProcessStartInfo("dotnet", [dll, "hotpath", "100"]) { UseShellExecute = false })
        ?? throw new InvalidOperationException("dotnet did not start.");
    await process.WaitForExitAsync();
}
