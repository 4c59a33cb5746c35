using IntegrationHub.TestDoubles.Processes;
using System.Net;
using System.Net.Sockets;

namespace IntegrationHub.TestDoubles.Cosmos;

/// <summary>
/// The local Cosmos DB emulator (<c>tools/cosmos/server.js</c>, a wrapper of <c>@vercel/cosmosdb-server</c>)
/// as a child process on a free loopback port. Tests share one per test assembly and isolate themselves
/// by database name.
/// </summary>
public sealed class CosmosEmulator : IAsyncDisposable
{
    /// <summary>The emulator's well-known account key (the same one the Azure Cosmos DB emulator documents).</summary>
    public const string Key = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private SupervisedProcess? _process;

    private readonly int _parentProcessId;

    private CosmosEmulator(int port, string? dataDirectory, int parentProcessId)
    {
        Port = port;
        DataDirectory = dataDirectory;
        _parentProcessId = parentProcessId;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The folder the emulator journals its writes to, or null for in-memory only (the default).</summary>
    public string? DataDirectory { get; }

    /// <summary>The emulator's process group id, or null before it starts.</summary>
    public int? ProcessId => _process?.GroupId;

    /// <summary>The account endpoint.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}/";

    /// <summary>Whether the process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts an emulator on a free port and waits until it answers.</summary>
    /// <param name="port">The port; null: a free one.</param>
    /// <param name="dataDirectory">Where it persists its data (<c>--data-dir</c>); null: in memory.</param>
    /// <param name="parentProcessId">The process it must not outlive; null: this test process.</param>
    public static async Task<CosmosEmulator> StartAsync(int? port = null, string? dataDirectory = null, int? parentProcessId = null)
    {
        var emulator = new CosmosEmulator(port ?? FreePort(), dataDirectory, parentProcessId ?? Environment.ProcessId);
        await emulator.RestartAsync();
        return emulator;
    }

    /// <summary>Starts the process again on the same port (after <see cref="StopAsync"/>). Its data starts empty unless it has a <see cref="DataDirectory"/>.</summary>
    public async Task RestartAsync()
    {
        var script = Path.Combine(RepositoryRoot.Path, "tools", "cosmos", "server.js");
        if (!Directory.Exists(Path.Combine(RepositoryRoot.Path, "tools", "cosmos", "node_modules")))
        {
            throw new InvalidOperationException("tools/cosmos/node_modules is missing: run 'npm ci --prefix tools/cosmos' (scripts/test.sh does).");
        }

        // Supervised: its process group ends with the test process (and it also polls --parent-pid itself).
        List<string> arguments = [script, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--parent-pid", _parentProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (DataDirectory is not null)
        {
            arguments.AddRange(["--data-dir", DataDirectory]);
        }

        _process = SupervisedProcess.Start("Cosmos emulator", "node", arguments, watchProcessId: _parentProcessId);

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

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The Cosmos emulator exited: {string.Join('\n', _process.Lines.TakeLast(20))}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The Cosmos emulator did not answer on {Endpoint} within 30s.");
    }

    /// <summary>Stops the process (to test how the hub behaves when Cosmos DB goes away).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            await _process.StopAsync(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>Kills the process abruptly (SIGKILL, as <c>kill -9</c>): nothing it has not already made durable survives.</summary>
    public async Task KillAsync()
    {
        if (_process is null)
        {
            return;
        }

        _process.Kill();
        for (var i = 0; i < 100 && !_process.HasExited; i++)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>Configuration for the hub pointing at this emulator, in a database of its own.</summary>
    public IDictionary<string, string?> Settings(string database) => new Dictionary<string, string?>
    {
        ["Cosmos:Endpoint"] = Endpoint,
        ["Cosmos:Key"] = Key,
        ["Cosmos:Database"] = database,
        ["Cosmos:UseGatewayOnly"] = "true",
        ["Cosmos:CreateIfMissing"] = "true",
        ["Cosmos:RequestTimeout"] = "00:00:05",
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
