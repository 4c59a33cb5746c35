using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IntegrationHub.TestDoubles.Cosmos;

/// <summary>
/// The local Cosmos DB emulator (<c>tools/cosmos/server.js</c>, a wrapper of <c>@vercel/cosmosdb-server</c>)
/// as a child process on a free loopback port. Tests share one per test assembly and isolate themselves
/// by database name.
/// </summary>
/// <remarks>
/// <para>Every emulator ends with the test process that started it, whatever happens to that process:</para>
/// <list type="bullet">
/// <item>it runs in a session and process group of its own (<c>setsid</c>), so it can be killed as a group
/// and a terminal's job control (a stop, state T) sent to the test's group does not reach it;</item>
/// <item><see cref="DisposeAsync"/> and <see cref="AppDomain.ProcessExit"/> kill the group with SIGKILL;</item>
/// <item>a watchdog (<c>bash</c>, in a session of its own so a stop of the emulator's group cannot stop it
/// too) polls the test process once a second and SIGKILLs the emulator's group as soon as the test process
/// is gone: a killed test host (SIGKILL, no ProcessExit) cannot leave an emulator behind, and a stopped
/// emulator is killed all the same (SIGKILL ends a stopped process). The emulator's own <c>--parent-pid</c>
/// check stays as a third line, but it needs the emulator to be running, which a stopped one is not.</item>
/// </list>
/// <para>The test process's environment is inherited, so a marker such as <c>HUB_TEST_RUN</c> set by
/// <c>scripts/test.sh</c> finds every process a test run started.</para>
/// </remarks>
public sealed class CosmosEmulator : IAsyncDisposable
{
    /// <summary>The emulator's well-known account key (the same one the Azure Cosmos DB emulator documents).</summary>
    public const string Key = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private static readonly HashSet<int> LiveGroups = [];
    private static int _exitHookInstalled;

    private Process? _process;
    private Process? _watchdog;

    private CosmosEmulator(int port, string? dataDirectory)
    {
        Port = port;
        DataDirectory = dataDirectory;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The folder the emulator journals its writes to, or null for in-memory only (the default).</summary>
    public string? DataDirectory { get; }

    /// <summary>The account endpoint.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}/";

    /// <summary>Whether the process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The emulator's process id (also its process group id), or null before it starts.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>Starts an emulator on a free port and waits until it answers.</summary>
    /// <param name="port">The port; null: a free one.</param>
    /// <param name="dataDirectory">Where it persists its data (<c>--data-dir</c>); null: in memory.</param>
    public static async Task<CosmosEmulator> StartAsync(int? port = null, string? dataDirectory = null)
    {
        var emulator = new CosmosEmulator(port ?? FreePort(), dataDirectory);
        await emulator.RestartAsync();
        return emulator;
    }

    /// <summary>Starts the process again on the same port (after <see cref="StopAsync"/> or <see cref="KillAsync"/>). Its data starts empty unless it has a <see cref="DataDirectory"/>.</summary>
    public async Task RestartAsync()
    {
        var script = Path.Combine(RepositoryRoot.Path, "tools", "cosmos", "server.js");
        if (!Directory.Exists(Path.Combine(RepositoryRoot.Path, "tools", "cosmos", "node_modules")))
        {
            throw new InvalidOperationException("tools/cosmos/node_modules is missing: run 'npm ci --prefix tools/cosmos' (scripts/test.sh does).");
        }

        InstallExitHook();
        var parent = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        List<string> arguments = ["node", script, "--port", Port.ToString(CultureInfo.InvariantCulture), "--parent-pid", parent];
        if (DataDirectory is not null)
        {
            arguments.AddRange(["--data-dir", DataDirectory]);
        }

        // setsid without --fork: this child is not a group leader, so setsid calls setsid(2) and execs node in
        // place; the pid we hold is node's and it leads a new process group.
        _process = Process.Start(Hidden("setsid", arguments)) ?? throw new InvalidOperationException("node did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var group = _process.Id;
        lock (LiveGroups)
        {
            LiveGroups.Add(group);
        }

        // The watchdog ends when the test process is gone (killing the emulator's group) or when the group is gone.
        var watch = $"while kill -0 {parent} 2>/dev/null && kill -0 -- -{group} 2>/dev/null; do sleep 1; done; kill -KILL -- -{group} 2>/dev/null; exit 0";
        _watchdog = Process.Start(Hidden("setsid", ["bash", "-c", watch]));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The Cosmos emulator exited with code {_process.ExitCode}.");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The Cosmos emulator did not answer on {Endpoint} within 30s.");
    }

    /// <summary>Stops the process (to test how the hub behaves when Cosmos DB goes away): SIGKILL to its whole process group.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        KillGroup(_process.Id);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        lock (LiveGroups)
        {
            LiveGroups.Remove(_process.Id);
        }

        if (_watchdog is { HasExited: false })
        {
            await _watchdog.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>Kills the process abruptly (SIGKILL, as <c>kill -9</c>): nothing it has not already made durable survives.</summary>
    public Task KillAsync() => StopAsync();

    /// <summary>Configuration for the hub pointing at this emulator, in a database of its own.</summary>
    public IDictionary<string, string?> Settings(string database) => new Dictionary<string, string?>
    {
        ["Cosmos:Endpoint"] = Endpoint,
        ["Cosmos:Key"] = Key,
        ["Cosmos:Database"] = database,
        ["Cosmos:UseGatewayOnly"] = "true",
        ["Cosmos:CreateIfMissing"] = "true",
        ["Cosmos:RequestTimeoutSeconds"] = "5",
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        _watchdog?.Dispose();
    }

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo Hidden(string file, IEnumerable<string> arguments) =>
        new(file, arguments)
        {
            RedirectStandardOutput = file == "setsid" && arguments.FirstOrDefault() == "node",
            RedirectStandardError = file == "setsid" && arguments.FirstOrDefault() == "node",
            UseShellExecute = false,
        };

    private static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                int[] groups;
                lock (LiveGroups)
                {
                    groups = [.. LiveGroups];
                }

                foreach (var group in groups)
                {
                    KillGroup(group);
                }
            };
        }
    }

    private static void KillGroup(int group)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-KILL", "--", $"-{group}"]) { UseShellExecute = false, RedirectStandardError = true });
            kill?.WaitForExit(5000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No kill(1): the Process.Kill in StopAsync still ends the emulator itself.
        }
    }
}

/// <summary>The repository's root folder (the one holding <c>IntegrationHub.sln</c>), found from the test binaries.</summary>
public static class RepositoryRoot
{
    /// <summary>The path.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "IntegrationHub.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IntegrationHub.sln not found above " + AppContext.BaseDirectory);
    }
}
