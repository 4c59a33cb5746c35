using IntegrationHub.TestDoubles.Processes;

namespace IntegrationHub.Deployment.Tests.Support;

/// <summary>
/// The real Azure Functions host serving a packaged app folder (<see cref="FunctionsHostProcess"/> of Hub.Testing, the
/// test tree's one host fixture), with an Azurite of its own as the host's storage (<see cref="Azurite.StartAsync"/>).
/// The app settings are local.settings.sample.json's, passed as environment variables (what <c>func start</c> does
/// with local.settings.json), with Cosmos DB and the keys overridden.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    private readonly Azurite _azurite;
    private readonly FunctionsHostProcess _host;

    private FunctionsHost(Azurite azurite, FunctionsHostProcess host)
    {
        _azurite = azurite;
        _host = host;
        Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A client for the host's address (<c>http://127.0.0.1:{port}/</c>).</summary>
    public HttpClient Http { get; }

    /// <summary>The master key: header <c>x-functions-key</c> for <c>/admin/...</c>.</summary>
    public string MasterKey => _host.MasterKey;

    /// <summary>What the host printed so far, for failure messages.</summary>
    public string Output => string.Join('\n', _host.Process.Lines);

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
        ArgumentNullException.ThrowIfNull(cosmos);
        var azurite = await Azurite.StartAsync();
        FunctionsHostProcess? host = null;
        try
        {
            var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (key, value) in SampleSettings.Values())
            {
                environment[key] = value;
            }

            foreach (var (key, value) in cosmos)
            {
                environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }

            environment["AzureWebJobsStorage"] = azurite.ConnectionString;
            environment["FUNCTIONS_SECRETS_DIR"] = Path.Combine(workFolder, "secrets");
            environment["Auth__AdminKey"] = "packaged-admin-key-0123456789abcdef";
            environment["Secrets__LocalKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            environment["APPLICATIONINSIGHTS_CONNECTION_STRING"] = null;
            environment["ASPNETCORE_URLS"] = null;
            host = FunctionsHostProcess.Launch(scriptRoot, environment, "deployment-tests-" + Guid.NewGuid().ToString("N"), scriptRoot);
            await host.WaitUntilRunningAsync(TimeSpan.FromMinutes(3));
            return new FunctionsHost(azurite, host);
        }
        catch
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }

            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the host's process group (SIGTERM, which stops its worker), then Azurite.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _host.DisposeAsync();
        await _azurite.DisposeAsync();
    }
}
