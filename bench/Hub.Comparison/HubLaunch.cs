using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace IntegrationHub.Comparison;

/// <summary>
/// Starting a hub for a benchmark: where the Functions host is, a free loopback port, waiting for readiness, reading
/// the API's JSON. Shared by the hub-vs-n8n comparison and the engine benchmark (bench/Hub.EngineBench links it).
/// </summary>
internal static class HubLaunch
{
    internal static string FindFunc(string root)
    {
        foreach (var directory in Environment.GetEnvironmentVariable("PATH")?.Split(':') ?? [])
        {
            var candidate = Path.Combine(directory, "func");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        // The kit sits in a 'shared' folder beside the checkout or one of its parents (worktrees are one level deeper).
        for (var directory = new DirectoryInfo(root); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "functions-host", "func");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No Functions host: install Core Tools (func) or put the kit at ../shared/functions-host.");
    }

    /// <summary>Azurite as scripts/run.sh runs it (blob, queue and table on loopback), its data in <paramref name="state"/>/azurite.</summary>
    internal static ManagedProcess StartAzurite(string root, string state, int blob, int queue, int table, IReadOnlyDictionary<string, string?> environment, string? debugLog = null)
    {
        Directory.CreateDirectory(Path.Combine(state, "azurite"));
        return ManagedProcess.Start(
            "Azurite",
            Path.Combine(root, "tools", "azurite", "node_modules", ".bin", "azurite"),
            ["--location", Path.Combine(state, "azurite"), "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
             "--blobPort", $"{blob}", "--queuePort", $"{queue}", "--tablePort", $"{table}", "--skipApiVersionCheck", "--disableTelemetry", "--loose",
             .. (debugLog is null ? Array.Empty<string>() : ["--debug", debugLog])],
            Path.Combine(state, "azurite.log"),
            environment);
    }

    /// <summary>The local Cosmos DB emulator (tools/cosmos) on <paramref name="port"/>, ending with this process; journalling to <paramref name="dataDirectory"/> when one is given, as scripts/run.sh runs it.</summary>
    internal static ManagedProcess StartEmulator(string root, string state, int port, IReadOnlyDictionary<string, string?> environment, string? dataDirectory = null) =>
        ManagedProcess.Start(
            "Cosmos DB emulator",
            "node",
            [Path.Combine(root, "tools", "cosmos", "server.js"), "--port", $"{port}", "--parent-pid", $"{Environment.ProcessId}", .. (dataDirectory is null ? Array.Empty<string>() : ["--data-dir", dataDirectory])],
            Path.Combine(state, "cosmos.log"),
            environment);

    /// <summary>The AzureWebJobsStorage connection string of an Azurite on these ports (its well-known development account).</summary>
    internal static string AzuriteConnectionString(int blob, int queue, int table) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    /// <summary><c>func start</c> serving the Function App in <paramref name="app"/> on <paramref name="port"/>, its secrets in <paramref name="state"/>.</summary>
    internal static ManagedProcess StartHost(string root, string app, int port, string settingsFile, string state) =>
        ManagedProcess.Start(
            "Functions host",
            FindFunc(root),
            ["start", "--script-root", app, "--port", $"{port}", "--settings", settingsFile],
            Path.Combine(state, "func.log"),
            new Dictionary<string, string?>
            {
                ["FUNCTIONS_SECRETS_DIR"] = Path.Combine(state, "func-secrets"),
                ["FUNCTIONS_MASTER_KEY"] = "comparison-master-" + Guid.NewGuid().ToString("N"),
                ["CONTAINER_NAME"] = null,
            },
            workingDirectory: root);

    /// <summary>The Release build of a Function App (<paramref name="project"/> under the checkout, its assembly <paramref name="assembly"/>), and an empty <paramref name="state"/> folder for its run.</summary>
    internal static string ReleaseAppWithFreshState(string root, string project, string assembly, string state)
    {
        var app = Path.Combine(root, project, "bin", "Release", "net10.0");
        if (!File.Exists(Path.Combine(app, assembly)))
        {
            throw new InvalidOperationException($"No Release build in {app}: run without --no-build.");
        }

        if (Directory.Exists(state))
        {
            Directory.Delete(state, recursive: true);
        }

        Directory.CreateDirectory(state);
        return app;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task<HttpResponseMessage?> TryGetAsync(HttpClient http, string url)
    {
        try
        {
            return await http.GetAsync(url);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    internal static async Task WaitAsync(ManagedProcess process, Func<Task<bool>> ready, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await ready())
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited; {process.Log}:{Environment.NewLine}{process.Tail(30)}");
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{process.Name} was not ready within {timeout.TotalSeconds:0} s; {process.Log}:{Environment.NewLine}{process.Tail(30)}");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    internal static async Task<JsonNode> Json(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {text[..Math.Min(500, text.Length)]}");
            }

            return JsonNode.Parse(text) ?? new JsonObject();
        }
    }
}
