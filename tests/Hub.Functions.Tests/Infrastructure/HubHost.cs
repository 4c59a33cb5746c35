using System.Globalization;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using IntegrationHub.Functions.Hosting;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Cosmos;
using IntegrationHub.TestDoubles.Logging;
using IntegrationHub.TestDoubles.Processes;

namespace IntegrationHub.Functions.Tests.Infrastructure;

/// <summary>
/// The hub as it runs in Azure: the build output of <c>src/Hub.Functions</c> served by the real Functions host
/// (<c>func start</c> of the functions-host kit), which starts the .NET isolated worker. Settings go in as the
/// host's environment; storage is the test run's Azurite; Cosmos DB is the emulator, in a database of this
/// host's own. Tests talk to it over HTTP only, and read stored state through <see cref="Stores"/> (the hub's
/// own Cosmos stores, in the test process, on the same database). Start one per test collection: a host takes
/// seconds to start and a few hundred MB.
/// </summary>
public sealed class HubHost : IAsyncDisposable
{
    /// <summary>The operator key the test hubs are configured with.</summary>
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    /// <summary>The local secret store's key in test hubs (base64 of bytes 0..31; test data only).</summary>
    public const string TestSecretKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /// <summary>A schedule that does not fire during a test run (midnight of 1 January).</summary>
    public const string Never = "0 0 0 1 1 *";

    private readonly FunctionsHostProcess _host;
    private readonly string _secretsDir;
    private readonly Lazy<ServiceProvider> _stores;

    private HubHost(FunctionsHostProcess host, string secretsDir, IDictionary<string, string?> settings)
    {
        _host = host;
        _secretsDir = secretsDir;
        MasterKey = host.MasterKey;
        Settings = settings;
        BaseAddress = host.BaseAddress;
        Client = new HttpClient { BaseAddress = BaseAddress };
        Logs = new CapturedLogs(host.Process);
        _stores = new Lazy<ServiceProvider>(BuildStores);
    }

    /// <summary>The host's address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A client without a key.</summary>
    public HttpClient Client { get; }

    /// <summary>The Functions host's master key (admin endpoints).</summary>
    public string MasterKey { get; }

    /// <summary>Every setting the host was started with (configuration names, <c>Section:Key</c>).</summary>
    public IDictionary<string, string?> Settings { get; }

    /// <summary>The host's and the worker's log lines.</summary>
    public CapturedLogs Logs { get; }

    /// <summary>The host's process group (host, worker, supervisor).</summary>
    public SupervisedProcess Process => _host.Process;

    /// <summary>How long it took from <c>func start</c> to <c>"state":"Running"</c>.</summary>
    public TimeSpan StartTime => _host.StartTime;

    /// <summary>
    /// The hub's services built in the test process from the host's Cosmos settings (database creation off: the
    /// host made it), for reading stored state or seeding it the way the API's services would.
    /// </summary>
    public IServiceProvider Stores => _stores.Value;

    /// <summary>
    /// Starts a host and waits until it is Running and its first HTTP function answers. <paramref name="settings"/>
    /// (names as <c>Section:Key</c> or <c>Section__Key</c>; null removes) override the defaults: the shared
    /// emulator in a new database, the test admin and secret keys, key cache off, timers that never fire.
    /// </summary>
    public static async Task<HubHost> StartAsync(IDictionary<string, string?>? settings = null, CosmosEmulator? emulator = null)
    {
        var cosmos = await (emulator is null ? SharedCosmosEmulator.GetAsync() : Task.FromResult(emulator));
        var azurite = await Azurite.SharedAsync();
        for (var attempt = 1; ; attempt++)
        {
            var host = Launch(settings, cosmos, azurite);
            try
            {
                await host.WaitUntilRunningAsync(TimeSpan.FromSeconds(180));
                return host;
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // The free port picked for the host or its worker channel was taken by another socket between the pick
                // and the bind (an outgoing connection's ephemeral port): launch again on new ports.
                await host.DisposeAsync();
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Starts a host without waiting for it (for start-up failures).</summary>
    public static async Task<HubHost> LaunchAsync(IDictionary<string, string?>? settings = null) =>
        Launch(settings, await SharedCosmosEmulator.GetAsync(), await Azurite.SharedAsync());

    private static HubHost Launch(IDictionary<string, string?>? overrides, CosmosEmulator emulator, Azurite azurite)
    {
        var scriptRoot = FunctionsBuild.OutputDirectory;
        var secretsDir = Directory.CreateTempSubdirectory("hub-test-secrets-").FullName;

        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in emulator.Settings(SharedCosmosEmulator.NewDatabaseName("hub")))
        {
            all[key] = value;
        }

        all["Auth:AdminKey"] = AdminKey;
        all["Auth:KeyCache"] = "00:00:00";
        all["Secrets:LocalKey"] = TestSecretKey; // so a Development hub never generates one into the user's home
        all["Timers:ScheduleSyncs"] = Never;
        all["Timers:DrainCommands"] = Never;
        all["Timers:ProbeDependencies"] = Never;
        all["Timers:DrainWebhooks"] = Never;
        // Each host has a task hub of its own in the shared Azurite (another host's worker must not run its runs against
        // another database), and queue timeouts of seconds so a killed worker's work is picked up at once.
        all["DurableTask:HubName"] = $"h{Guid.NewGuid():N}"[..20];
        all["AzureFunctionsJobHost:extensions:durableTask:storageProvider:controlQueueVisibilityTimeout"] = "00:01:00";
        all["AzureFunctionsJobHost:extensions:durableTask:storageProvider:workItemQueueVisibilityTimeout"] = "00:01:00";
        all["AzureFunctionsJobHost:extensions:durableTask:storageProvider:maxQueuePollingInterval"] = "00:00:01";
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            all[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        var environment = all.ToDictionary(p => p.Key.Replace(":", "__", StringComparison.Ordinal), p => p.Value);
        environment["AzureWebJobsStorage"] = azurite.ConnectionString;
        environment["FUNCTIONS_SECRETS_DIR"] = secretsDir;
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["AzureFunctionsWebHost__hostid"] = $"hubtest-{Guid.NewGuid():N}"[..32]; // timer locks are per host id in the shared Azurite
        environment["APPLICATIONINSIGHTS_CONNECTION_STRING"] = null;

        return new HubHost(FunctionsHostProcess.Launch(scriptRoot, environment), secretsDir, all);
    }

    private Task WaitUntilRunningAsync(TimeSpan timeout) => _host.WaitUntilRunningAsync(timeout, async () =>
    {
        using var health = await Client.GetAsync(new Uri("api/health", UriKind.Relative));
        return (int)health.StatusCode is 200 or 503;
    });

    /// <summary>The last <paramref name="lines"/> lines of the host's output.</summary>
    public string Tail(int lines) => _host.Tail(lines);

    /// <summary>A client that authenticates with <paramref name="key"/>.</summary>
    public HttpClient ClientWithKey(string key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A client with the hub's admin key.</summary>
    public HttpClient Admin() => ClientWithKey(AdminKey);

    /// <summary>Creates a tenant and returns a client with a fresh API key of it.</summary>
    public async Task<(HttpClient Client, string Key)> TenantAsync(string tenantId)
    {
        using var admin = Admin();
        using var tenant = await admin.PostAsJsonAsync("api/v1/tenants", new { id = tenantId, displayName = tenantId });
        Assert.True(tenant.IsSuccessStatusCode, $"creating tenant {tenantId}: {(int)tenant.StatusCode} {await tenant.Content.ReadAsStringAsync()}");
        using var issued = await admin.PostAsJsonAsync($"api/v1/tenants/{tenantId}/api-keys", new { name = "tests" });
        Assert.True(issued.IsSuccessStatusCode, $"issuing a key of {tenantId}: {(int)issued.StatusCode} {await issued.Content.ReadAsStringAsync()}");
        var key = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        return (ClientWithKey(key), key);
    }

    /// <summary>Fires timer function <paramref name="name"/> now, the way the portal's "Test/Run" does: <c>POST /admin/functions/{name}</c>; the host answers 202 and runs it.</summary>
    public async Task FireTimerAsync(string name)
    {
        using var admin = AdminHttp();
        using var response = await admin.PostAsJsonAsync($"admin/functions/{name}", new { input = string.Empty });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"firing {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Waits until a log line containing <paramref name="text"/> has been written; returns it.</summary>
    public async Task<string> LogLineAsync(string text, TimeSpan? timeout = null)
    {
        string? found = null;
        await Eventually.TrueAsync(() => (found = Logs.Lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal))) is not null, $"a log line with '{text}'", timeout);
        return found!;
    }

    /// <summary>The pids of the host's .NET isolated worker processes (the host restarts one that dies).</summary>
    public IReadOnlyList<int> WorkerPids() => _host.Process.Members().Where(pid =>
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("Hub.Functions", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }).ToList();

    /// <summary>Kills the worker with SIGKILL (a crash); the host notices and starts a new one. Returns the killed pids.</summary>
    public IReadOnlyList<int> KillWorker()
    {
        var pids = WorkerPids();
        foreach (var pid in pids)
        {
            using var worker = System.Diagnostics.Process.GetProcessById(pid);
            worker.Kill();
        }

        return pids;
    }

    /// <summary>The resident memory of the host and its worker (kB), from /proc.</summary>
    public IReadOnlyDictionary<int, long> ResidentKilobytes() => _host.Process.Members().ToDictionary(pid => pid, pid =>
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    });

    /// <summary>A client carrying the Functions master key (admin endpoints).</summary>
    public HttpClient AdminHttp() => _host.AdminHttp();

    private ServiceProvider BuildStores()
    {
        var values = new Dictionary<string, string?>(Settings, StringComparer.OrdinalIgnoreCase) { ["Cosmos:CreateIfMissing"] = "false" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment
        {
            EnvironmentName = "Development",
            ApplicationName = "Hub.Functions",
            ContentRootPath = FunctionsBuild.OutputDirectory,
        });
        services.AddHub(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>SIGTERM to the host's process group (host and worker stop), SIGKILL after 20 s; the secrets folder goes too.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_stores.IsValueCreated)
        {
            await _stores.Value.DisposeAsync();
        }

        await _host.DisposeAsync();
        try
        {
            Directory.Delete(_secretsDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Where the Functions build output and the functions-host kit are.</summary>
public static class FunctionsBuild
{
    /// <summary>The build configuration of this test assembly.</summary>
    public static string Configuration { get; } =
        typeof(FunctionsBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "Configuration")?.Value ?? "Debug";

    /// <summary>
    /// <c>src/Hub.Functions/bin/&lt;Configuration&gt;/net10.0</c> of the configuration the tests were built in (the test
    /// project references Hub.Functions, so building the tests builds it); fails clearly without functions.metadata.
    /// </summary>
    public static string OutputDirectory { get; } = FindOutput();

    /// <summary>The kit's <c>func</c> (<see cref="FunctionsHostProcess.Func"/>).</summary>
    public static string Func => FunctionsHostProcess.Func;

    private static string FindOutput()
    {
        var dir = Path.Combine(RepositoryRoot.Path, "src", "Hub.Functions", "bin", Configuration, "net10.0");
        if (!File.Exists(Path.Combine(dir, "functions.metadata")))
        {
            throw new InvalidOperationException($"{dir}/functions.metadata is missing: build the Function App first ('dotnet build src/Hub.Functions -c {Configuration}'; scripts/test.sh does).");
        }

        return dir;
    }
}
