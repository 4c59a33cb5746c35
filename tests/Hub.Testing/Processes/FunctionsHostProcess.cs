using System.Globalization;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.TestDoubles.Processes;

/// <summary>
/// The real Azure Functions host (<c>func start</c> of the functions-host kit) serving an app folder on a free loopback
/// port, in a supervised process group (see <see cref="SupervisedProcess"/>): the one Functions-host fixture of the
/// test tree. Hub.Functions.Tests' HubHost (the build output, shared Azurite and emulator) and Hub.Deployment.Tests'
/// packaged-app host (the publish zip, an Azurite of its own) both start the host through it.
/// </summary>
public sealed class FunctionsHostProcess : IAsyncDisposable
{
    private FunctionsHostProcess(SupervisedProcess process, int port, string masterKey)
    {
        Process = process;
        MasterKey = masterKey;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>
    /// The kit's <c>func</c>: <c>$FUNCTIONS_HOST_KIT/func</c> when set, else <c>shared/functions-host/func</c> beside the
    /// repository or an ancestor folder of it (CI clones with <c>../shared</c> beside the repository; a worktree may sit deeper).
    /// </summary>
    /// <exception cref="InvalidOperationException">The kit is nowhere to be found (on first use).</exception>
    public static string Func => LazyFunc.Value;

    /// <summary>The host's process group (host, worker, supervisor) and its output.</summary>
    public SupervisedProcess Process { get; }

    /// <summary>The host's address, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The Functions master key (header <c>x-functions-key</c> for <c>/admin/...</c>).</summary>
    public string MasterKey { get; }

    /// <summary>How long it took from <c>func start</c> to Running (and ready, when a readiness probe was given).</summary>
    public TimeSpan StartTime { get; private set; }

    private static Lazy<string> LazyFunc { get; } = new(FindFunc);

    /// <summary>
    /// Starts <c>func start --script-root <paramref name="scriptRoot"/></c> with <paramref name="environment"/> as the
    /// host's environment (app settings as <c>Section__Key</c>; a null value removes a variable) plus
    /// <c>FUNCTIONS_MASTER_KEY</c>. Returns at once: wait with <see cref="WaitUntilRunningAsync"/>.
    /// </summary>
    public static FunctionsHostProcess Launch(string scriptRoot, IDictionary<string, string?> environment, string? masterKey = null, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var port = CosmosEmulator.FreePort();
        masterKey ??= $"master-{Guid.NewGuid():N}";
        var all = new Dictionary<string, string?>(environment, StringComparer.Ordinal) { ["FUNCTIONS_MASTER_KEY"] = masterKey };
        var process = SupervisedProcess.Start(
            "Functions host",
            Func,
            ["start", "--script-root", scriptRoot, "--port", port.ToString(CultureInfo.InvariantCulture)],
            all,
            workingDirectory ?? RepositoryRoot.Path);
        return new FunctionsHostProcess(process, port, masterKey);
    }

    /// <summary>A client carrying the master key (admin endpoints).</summary>
    public HttpClient AdminHttp()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("x-functions-key", MasterKey);
        return client;
    }

    /// <summary>The last <paramref name="lines"/> lines of the host's output.</summary>
    public string Tail(int lines) => string.Join('\n', Process.Lines.TakeLast(lines));

    /// <summary>
    /// Waits until <c>/admin/host/status</c> says <c>"state":"Running"</c> and, when given, <paramref name="ready"/>
    /// answers true (Running means indexed and the worker up; the first call into the worker may take a moment more).
    /// </summary>
    /// <exception cref="InvalidOperationException">The host exited first (its last output lines in the message).</exception>
    /// <exception cref="TimeoutException">It was not Running within <paramref name="timeout"/>.</exception>
    public async Task WaitUntilRunningAsync(TimeSpan timeout, Func<Task<bool>>? ready = null)
    {
        var started = DateTime.UtcNow;
        using var admin = AdminHttp();
        var last = "no answer";
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The Functions host exited before it was Running:\n{Tail(60)}");
            }

            if (DateTime.UtcNow - started > timeout)
            {
                throw new TimeoutException($"The Functions host was not Running after {timeout.TotalSeconds:0} s (last: {last}):\n{Tail(60)}");
            }

            try
            {
                using var status = await admin.GetAsync(new Uri("admin/host/status", UriKind.Relative));
                last = $"{(int)status.StatusCode} {await status.Content.ReadAsStringAsync()}";
                if (status.IsSuccessStatusCode && last.Contains("\"state\":\"Running\"", StringComparison.Ordinal) && (ready is null || await ready()))
                {
                    StartTime = DateTime.UtcNow - started;
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

            await Task.Delay(250);
        }
    }

    /// <summary>SIGTERM to the host's process group (the host stops its worker), SIGKILL after 20 s.</summary>
    public async ValueTask DisposeAsync() => await Process.StopAsync(TimeSpan.FromSeconds(20));

    private static string FindFunc()
    {
        if (Environment.GetEnvironmentVariable("FUNCTIONS_HOST_KIT") is { Length: > 0 } kit)
        {
            return Path.Combine(kit, "func");
        }

        for (var dir = Directory.GetParent(RepositoryRoot.Path); dir is not null; dir = dir.Parent)
        {
            var func = Path.Combine(dir.FullName, "shared", "functions-host", "func");
            if (File.Exists(func))
            {
                return func;
            }
        }

        throw new InvalidOperationException($"The functions-host kit was not found in ../shared/functions-host beside {RepositoryRoot.Path} (or an ancestor); set FUNCTIONS_HOST_KIT.");
    }
}
