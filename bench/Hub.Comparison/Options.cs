using System.Globalization;

namespace IntegrationHub.Comparison;

/// <summary>Command line: <c>--sizes 10000,100000,1000000 --repeats 3 --small-runs 50 --small-size 100 --small-parallel 4 --no-build --no-hotpath --paced --hub-only --emulator-in-memory --no-floor --azurite-log FILE</c>.</summary>
internal sealed record Options
{
    public IReadOnlyList<long> Sizes { get; init; } = [10_000, 100_000, 1_000_000];

    public int Repeats { get; init; } = 3;

    public int SmallRuns { get; init; } = 50;

    public long SmallSize { get; init; } = 100;

    public int SmallParallel { get; init; } = 4;

    /// <summary>Records of the untimed warm-up run on each side (also checks the output's shape).</summary>
    public long WarmupSize { get; init; } = 2_000;

    /// <summary>n8n runs up to this size have their Set node's output counted item by item.</summary>
    public long VerifyItemsUpTo { get; init; } = 10_000;

    /// <summary>Heap limit of every Node process (Azurite, Cosmos emulator, n8n), the same on both sides.</summary>
    public int NodeHeapMb { get; init; } = 8_192;

    public int StartTimeoutSeconds { get; init; } = 600;

    public bool Build { get; init; } = true;

    /// <summary>
    /// Whether the Cosmos DB emulator journals every write to disk (fsynced before it answers) as <c>scripts/run.sh</c>
    /// runs it (<c>--data-dir</c>); <c>--emulator-in-memory</c> runs it as the tests do, without the journal.
    /// </summary>
    public bool EmulatorJournal { get; init; } = true;

    /// <summary>Runs the hub's side only (no ratios: for profiling and quick checks of the hub between comparisons).</summary>
    public bool HubOnly { get; init; }

    /// <summary>
    /// Runs the Durable Functions floor (bench/Hub.DurableFloor: one orchestration, one activity that does nothing) in the
    /// small runs beside the hub and n8n; <c>--no-floor</c> leaves it out.
    /// </summary>
    public bool Floor { get; init; } = true;

    /// <summary>A file for the hub's Azurite debug log (<c>--azurite-log FILE</c>): every storage request the runtime makes, to count them per run.</summary>
    public string? AzuriteLog { get; init; }

    public bool HotPath { get; init; } = true;

    /// <summary>Keep the hub's default client-side pacing of the REST connector (10 requests/s per credential); off unless asked.</summary>
    public bool Paced { get; init; }

    public string RepoRoot { get; init; } = "";

    public string StateDir { get; init; } = "";

    public static Options Parse(string[] args)
    {
        var root = FindRoot();
        var options = new Options { RepoRoot = root, StateDir = Path.Combine(root, ".hub", "comparison") };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--sizes" => options with { Sizes = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)).ToList() },
                "--repeats" => options with { Repeats = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--small-runs" => options with { SmallRuns = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--small-size" => options with { SmallSize = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--small-parallel" => options with { SmallParallel = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--warmup-size" => options with { WarmupSize = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--node-heap-mb" => options with { NodeHeapMb = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--state-dir" => options with { StateDir = Path.GetFullPath(Next()) },
                "--no-build" => options with { Build = false },
                "--no-hotpath" => options with { HotPath = false },
                "--paced" => options with { Paced = true },
                "--hub-only" => options with { HubOnly = true },
                "--no-floor" => options with { Floor = false },
                "--azurite-log" => options with { AzuriteLog = Path.GetFullPath(Next()) },
                "--emulator-in-memory" => options with { EmulatorJournal = false },
                _ => throw new ArgumentException($"Unknown argument {args[i]}."),
            };
        }

        if (options.Repeats < 1 || options.SmallParallel < 1 || options.SmallRuns < 1 || options.Sizes.Any(s => s < 1))
        {
            throw new ArgumentException("Sizes, repeats, small runs and parallelism must be positive.");
        }

        return options;
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

        throw new InvalidOperationException("Run it inside the IntegrationHub checkout (IntegrationHub.sln not found).");
    }
}
