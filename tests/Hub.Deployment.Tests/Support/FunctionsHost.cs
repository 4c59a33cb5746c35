using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Deployment.Tests.Support;

/// <summary>
/// The real Azure Functions host (the kit in <c>shared/functions-host</c>, beside the repository or above it)
/// serving an app folder, with an in-memory Azurite of its own as the host's storage. The app settings are
/// local.settings.sample.json's, passed as environment variables (what <c>func start</c> does with
/// local.settings.json), with Cosmos DB and the keys overridden.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _azurite;
    private readonly Process _host;
    private readonly StringBuilder _output;

    private FunctionsHost(Process azurite, Process host, StringBuilder output, int port, string masterKey)
    {
        _azurite = azurite;
        _host = host;
        _output = output;
        MasterKey = masterKey;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A client for the host's address (<c>http://127.0.0.1:{port}/</c>).</summary>
    public HttpClient Http { get; }

    /// <summary>The master key: header <c>x-functions-key</c> for <c>/admin/...</c>.</summary>
    public string MasterKey { get; }

    /// <summary>What Azurite and the host printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts Azurite and the host on free loopback ports and returns once <c>/admin/host/status</c> says
    /// <c>Running</c> (at most 3 minutes: the kit builds the host on its first use on a machine).
    /// </summary>
    /// <param name="scriptRoot">The app folder (publish output).</param>
    /// <param name="workFolder">An empty folder for the host's secrets.</param>
    /// <param name="cosmos">Cosmos DB settings in configuration form (<c>Cosmos:Endpoint</c>, ...).</param>
    /// <exception cref="InvalidOperationException">The kit or Azurite is not installed, or the host did not start.</exception>
    public static async Task<FunctionsHost> StartAsync(string scriptRoot, string workFolder, IDictionary<string, string?> cosmos)
    {
        var output = new StringBuilder();
        var azurite = StartAzurite(output, out var blob, out var queue, out var table);
        Process? host = null;
        try
        {
            await WaitForPortAsync(blob, azurite, output);
            var port = CosmosEmulator.FreePort();
            var masterKey = "deployment-tests-" + Guid.NewGuid().ToString("N");
            var start = new ProcessStartInfo("bash", [Kit(), "start", "--script-root", scriptRoot, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = scriptRoot,
            };
            foreach (var (key, value) in SampleSettings.Values())
            {
                start.Environment[key] = value;
            }

            foreach (var (key, value) in cosmos)
            {
                start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }

            start.Environment["AzureWebJobsStorage"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
            start.Environment["FUNCTIONS_MASTER_KEY"] = masterKey;
            start.Environment["FUNCTIONS_SECRETS_DIR"] = Path.Combine(workFolder, "secrets");
            start.Environment["Auth__AdminKey"] = "packaged-admin-key-0123456789abcdef";
            start.Environment["Secrets__LocalKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            start.Environment.Remove("APPLICATIONINSIGHTS_CONNECTION_STRING");
            start.Environment.Remove("ASPNETCORE_URLS");
            host = Launch(start, "host", output);

            var result = new FunctionsHost(azurite, host, output, port, masterKey);
            await result.WaitForRunningAsync();
            return result;
        }
        catch
        {
            await StopAsync(host, graceful: true);
            await StopAsync(azurite, graceful: false);
            throw;
        }
    }

    /// <summary>Stops the host with SIGTERM (which stops its worker; SIGKILL would orphan it), then Azurite.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAsync(_host, graceful: true);
        await StopAsync(_azurite, graceful: false);
        _host.Dispose();
        _azurite.Dispose();
    }

    private async Task WaitForRunningAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_host.HasExited)
            {
                throw new InvalidOperationException($"The Functions host exited with {_host.ExitCode}:\n{Output}");
            }

            try
            {
                using var status = new HttpRequestMessage(HttpMethod.Get, "admin/host/status");
                status.Headers.Add("x-functions-key", MasterKey);
                using var response = await Http.SendAsync(status);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode == HttpStatusCode.OK && last.Contains("\"Running\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e)
            {
                last = e.Message;
            }

            await Task.Delay(500);
        }

        throw new InvalidOperationException($"The Functions host was not Running within 3 minutes (last: {last}):\n{Output}");
    }

    /// <summary>The kit's <c>func</c>: <c>FUNCTIONS_HOST_KIT</c>, else <c>shared/functions-host/func</c> beside the repository or a folder above it.</summary>
    private static string Kit()
    {
        if (Environment.GetEnvironmentVariable("FUNCTIONS_HOST_KIT") is { Length: > 0 } kit)
        {
            return Path.Combine(kit, "func");
        }

        for (var dir = new DirectoryInfo(RepositoryRoot.Path).Parent; dir is not null; dir = dir.Parent)
        {
            var func = Path.Combine(dir.FullName, "shared", "functions-host", "func");
            if (File.Exists(func))
            {
                return func;
            }
        }

        throw new InvalidOperationException("The functions-host kit (shared/functions-host/func) is not beside the repository or above it; set FUNCTIONS_HOST_KIT.");
    }

    private static Process StartAzurite(StringBuilder output, out int blob, out int queue, out int table)
    {
        var azurite = Path.Combine(RepositoryRoot.Path, "tools", "azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"Azurite is not installed: npm ci --prefix tools/azurite (scripts/test.sh does). Missing {azurite}");
        }

        blob = CosmosEmulator.FreePort();
        queue = CosmosEmulator.FreePort();
        table = CosmosEmulator.FreePort();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var start = new ProcessStartInfo(azurite, [
            "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(inv), "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(inv),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(inv), "--skipApiVersionCheck", "--disableTelemetry", "--loose"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Launch(start, "azurite", output);
    }

    private static Process Launch(ProcessStartInfo start, string name, StringBuilder output)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        process.OutputDataReceived += (_, e) => { lock (output) { output.Append(name).Append(": ").AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.Append(name).Append(": ").AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForPortAsync(int port, Process process, StringBuilder output)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with {process.ExitCode}:\n{output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        throw new InvalidOperationException($"Azurite did not listen on {port} within 60 s:\n{output}");
    }

    private static async Task StopAsync(Process? process, bool graceful)
    {
        if (process is null || process.HasExited)
        {
            return;
        }

        if (graceful)
        {
            // SIGTERM by pid: the kit execs the host, so this pid is the host's; it stops its worker (~2 s).
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            if (kill is not null)
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                // Fall through: kill the host and its worker together.
            }
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }
}
