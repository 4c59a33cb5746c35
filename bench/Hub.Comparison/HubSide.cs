using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using static IntegrationHub.Comparison.HubLaunch;

namespace IntegrationHub.Comparison;

/// <summary>
/// The hub as scripts/run.sh runs it — Azurite, the Cosmos DB emulator and the Functions host serving the
/// Release build of src/Hub.Functions — but every port free and the state in the comparison's own folder, so it
/// neither collides with a developer's hub nor reuses its data. The job is a <c>rest</c> integration (its
/// configuration checked against the schema the catalog serves) with a mapping of 3 fields, run through
/// <c>POST /api/v1/integrations/{id}/run?waitSeconds=30</c>, which answers when the run has ended, as the n8n side's
/// webhook does; each run gets a new
/// integration, so its events are new documents in the default sink (the Cosmos event log), not duplicates.
/// </summary>
internal sealed class HubSide(Options options, PagedSource source, MemoryMonitor memory) : ISide
{
    private const int WaitSeconds = 30;
    private readonly string _state = Path.Combine(options.StateDir, "hub");
    private readonly string _adminKey = "comparison-admin-" + Guid.NewGuid().ToString("N");
    private readonly ProcessGroup _processes = new();
    private HttpClient? _http;
    private JsonObject? _paginationTemplate;
    private string? _credentialId;
    private int _integrations;

    public string Name => "hub";

    public async Task<TimeSpan> StartAsync(CancellationToken cancellationToken)
    {
        var root = options.RepoRoot;
        var app = ReleaseAppWithFreshState(root, Path.Combine("src", "Hub.Functions"), "Hub.Functions.dll", _state);
        var (blob, queue, table, cosmos, port) = (FreePort(), FreePort(), FreePort(), FreePort(), FreePort());
        var settings = Settings(root, blob, queue, table, cosmos, port);
        var settingsFile = Path.Combine(_state, "local.settings.json");
        await File.WriteAllTextAsync(settingsFile, settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        var node = new Dictionary<string, string?> { ["NODE_OPTIONS"] = $"--max-old-space-size={options.NodeHeapMb}" };

        Console.WriteLine($"hub: starting Azurite, the Cosmos DB emulator and the Functions host on http://127.0.0.1:{port} (state {_state})");
        var started = DateTime.UtcNow;
        var azurite = Track(StartAzurite(root, _state, blob, queue, table, node, options.AzuriteLog));
        memory.Watch(azurite.Pid, Name, _ => "Azurite");

        var emulator = Track(StartEmulator(root, _state, cosmos, node, options.EmulatorJournal ? Path.Combine(_state, "cosmos-data") : null));
        memory.Watch(emulator.Pid, Name, _ => "Cosmos emulator");
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitAsync(emulator, async () => (await TryGetAsync(probe, $"http://127.0.0.1:{cosmos}/")) is not null, TimeSpan.FromSeconds(60), cancellationToken);

        var host = Track(StartHost(root, app, port, settingsFile, _state));
        memory.Watch(host.Pid, Name, commandLine => commandLine.Contains("Hub.Functions", StringComparison.Ordinal) ? "worker" : "host");
        await WaitAsync(host, async () => (await TryGetAsync(probe, $"http://127.0.0.1:{port}/api/health")) is { StatusCode: HttpStatusCode.OK }, TimeSpan.FromSeconds(options.StartTimeoutSeconds), cancellationToken);
        var ready = DateTime.UtcNow - started;
        Console.WriteLine($"hub: ready in {ready.TotalSeconds:0.0} s");

        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(100) };
        await SetUpTenantAsync(cancellationToken);
        return ready;
    }

    public async Task<RunResult> RunAsync(long records, CancellationToken cancellationToken)
    {
        var integration = await CreateIntegrationAsync(records, cancellationToken);
        var servedBefore = source.RecordsServed;
        var (runId, published, requested, completed) = await RunOnceAsync(integration, cancellationToken);
        var served = source.RecordsServed - servedBefore;
        if (published != records || served != records)
        {
            throw new InvalidOperationException($"hub: a run of {records:N0} records published {published:N0} (the source served {served:N0}).");
        }

        if (records <= options.VerifyItemsUpTo)
        {
            await VerifyOutputAsync(runId, cancellationToken);
        }

        return new RunResult(published, completed - requested);
    }

    public async Task<double> SmallRunsAsync(int runs, long records, int parallel, CancellationToken cancellationToken)
    {
        // One integration per run (the hub runs one sync of an integration at a time, and events of a repeated run would be duplicates).
        var integrations = new List<string>();
        for (var i = 0; i < runs; i++)
        {
            integrations.Add(await CreateIntegrationAsync(records, cancellationToken));
        }

        var next = -1;
        var started = DateTimeOffset.UtcNow;
        var ends = new DateTimeOffset[runs];
        var phases = new RunPhases[runs];
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < runs)
            {
                var (_, published, _, completed) = await RunOnceAsync(integrations[index], cancellationToken, phases: p => phases[index] = p);
                if (published != records)
                {
                    throw new InvalidOperationException($"hub: a small run published {published} of {records} records.");
                }

                ends[index] = completed;
            }
        }));

        // Where a small run's time goes (medians, ms): the request until the run's document is created, the orchestration
        // reaching its first activity, the activity's work to the recorded end, and the end reaching the client. Server clocks and this one are the same machine's.
        // The tail beside the median (90th percentile, slowest): with 4 lanes of ~12 runs each, one slow run holds its lane.
        static string Spread(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return $"{sorted[sorted.Count / 2]:0}/{sorted[(int)(sorted.Count * 0.9)]:0}/{sorted[^1]:0}";
        }

        Console.WriteLine(
            $"hub: small run phases, median/p90/max ms: request -> run created {Spread(phases.Select(p => p.ToCreated))}, created -> first activity {Spread(phases.Select(p => p.ToFirstActivity))}, " +
            $"first activity -> ended {Spread(phases.Select(p => p.Work))}, ended -> answered {Spread(phases.Select(p => p.ToSeen))}");
        return runs / (ends.Max() - started).TotalSeconds;
    }

    /// <summary>One run's phases, in milliseconds.</summary>
    private sealed record RunPhases(double ToCreated, double ToFirstActivity, double Work, double ToSeen);

    /// <summary>
    /// Starts a run and waits for its end in the same request (<c>POST .../run?waitSeconds=30</c>: 200 with the ended run),
    /// following its <c>Location</c> with <c>GET /api/v1/runs/{id}?waitSeconds=30</c> only when it outlasts the wait:
    /// records published, when it was requested, and the run's completion time.
    /// </summary>
    private async Task<(string RunId, long Published, DateTimeOffset Requested, DateTimeOffset Completed)> RunOnceAsync(string integration, CancellationToken cancellationToken, Action<RunPhases>? phases = null)
    {
        var http = _http!;
        var requested = DateTimeOffset.UtcNow;
        var run = await Json(await http.PostAsync($"api/v1/integrations/{integration}/run?waitSeconds={WaitSeconds}", null, cancellationToken), cancellationToken);
        var runId = (string)run["id"]!;
        while (true)
        {
            var status = (string?)run["status"];
            if (status is "succeeded" or "failed" or "cancelled")
            {
                if (status != "succeeded")
                {
                    throw new InvalidOperationException($"hub: run {runId} {status}: {run["error"]}");
                }

                var completed = DateTimeOffset.Parse((string)run["completedAt"]!, CultureInfo.InvariantCulture);
                var created = DateTimeOffset.Parse((string)run["createdAt"]!, CultureInfo.InvariantCulture);
                var begun = DateTimeOffset.Parse((string)run["startedAt"]!, CultureInfo.InvariantCulture);
                phases?.Invoke(new RunPhases((created - requested).TotalMilliseconds, (begun - created).TotalMilliseconds, (completed - begun).TotalMilliseconds, (DateTimeOffset.UtcNow - completed).TotalMilliseconds));
                return (runId, (long)run["progress"]!["recordsPublished"]!, requested, completed);
            }

            run = await Json(await http.GetAsync($"api/v1/runs/{runId}?waitSeconds={WaitSeconds}", cancellationToken), cancellationToken);
        }
    }

    /// <summary>An event the run delivered to the default sink carries exactly the mapped fields.</summary>
    private async Task VerifyOutputAsync(string runId, CancellationToken cancellationToken)
    {
        var events = await Json(await _http!.GetAsync($"api/v1/events?runId={runId}&limit=1", cancellationToken), cancellationToken);
        var data = events["items"]?.AsArray().FirstOrDefault()?["event"]?["data"] as JsonObject;
        if (data is null || data.Count != 3 || data["id"] is null || data["fullName"] is null || data["city"] is null)
        {
            throw new InvalidOperationException($"hub: run {runId} delivered {data?.ToJsonString() ?? "no event"}, not the 3 mapped fields.");
        }
    }

    private async Task SetUpTenantAsync(CancellationToken cancellationToken)
    {
        var http = _http!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _adminKey);
        await Json(await http.PostAsJsonAsync("api/v1/tenants", new { id = "comparison", displayName = "Comparison" }, cancellationToken), cancellationToken);
        var key = await Json(await http.PostAsJsonAsync("api/v1/tenants/comparison/api-keys", new { name = "comparison" }, cancellationToken), cancellationToken);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)key["key"]!);

        // The generic REST connector's configuration, as the catalog describes it.
        var catalog = await Json(await http.GetAsync("api/v1/integrations/available?q=rest", cancellationToken), cancellationToken);
        var rest = catalog["items"]!.AsArray().FirstOrDefault(i => (string?)i!["id"] == "rest")
            ?? throw new InvalidOperationException("hub: the catalog offers no 'rest' connector.");
        var schema = rest["configurationSchema"]!;
        var kind = Enumerations(schema, "kind").FirstOrDefault(v => string.Equals(v, "page", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"hub: the rest connector's schema has no page pagination: {schema.ToJsonString()[..Math.Min(400, schema.ToJsonString().Length)]}");
        foreach (var field in new[] { "url", "idField", "recordSelector", "pagination", "pageSize", "pageParameter", "sizeParameter", "startPage" })
        {
            if (!Properties(schema).Contains(field))
            {
                throw new InvalidOperationException($"hub: the rest connector's configuration schema has no '{field}'.");
            }
        }

        // The connector needs a credential even without auth (auth none: no values).
        var credential = await Json(await http.PostAsJsonAsync("api/v1/credentials", new { connectorId = "rest", name = "comparison source", values = new { } }, cancellationToken), cancellationToken);
        _credentialId = (string)credential["id"]!;
        _paginationTemplate = new JsonObject { ["kind"] = kind, ["pageSize"] = SourceRecords.PageSize, ["pageParameter"] = "page", ["sizeParameter"] = "per_page", ["startPage"] = 1 };
    }

    private async Task<string> CreateIntegrationAsync(long records, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _integrations);
        var body = new JsonObject
        {
            ["name"] = $"comparison {number}: {records} records",
            ["connectorId"] = "rest",
            ["credentialId"] = _credentialId,
            ["stream"] = "records",
            ["configuration"] = new JsonObject
            {
                ["url"] = $"{source.BaseUrl}/records/{records}",
                ["recordSelector"] = "",
                ["idField"] = "id",
                ["pagination"] = _paginationTemplate!.DeepClone(),
            },
            ["mapping"] = JsonNode.Parse(SourceRecords.HubMappingJson),
        };
        var created = await Json(await _http!.PostAsJsonAsync("api/v1/integrations", body, cancellationToken), cancellationToken);
        return (string)created["id"]!;
    }

    public async Task StopAsync()
    {
        memory.Sample();
        _http?.Dispose();
        _http = null;

        await _processes.StopAllAsync(); // the host first (it stops its worker), then the emulators
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private ManagedProcess Track(ManagedProcess process) => _processes.Track(process);

    private JsonObject Settings(string root, int blob, int queue, int table, int cosmos, int port)
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "local.settings.sample.json")))!.AsObject();
        var values = settings["Values"]!.AsObject();
        values["AzureWebJobsStorage"] = AzuriteConnectionString(blob, queue, table);
        values["Cosmos__Endpoint"] = $"http://127.0.0.1:{cosmos}/";
        values["Auth__AdminKey"] = _adminKey;
        values["Secrets__LocalKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        // The source is on loopback, which the SSRF guard refuses unless told otherwise (never in production).
        values["Connectors__Network__AllowPrivateNetworks"] = "true";

        // The generic REST connector paces every credential to 10 requests/s by default (a guess at an unknown public
        // API's limit; n8n paces nothing). Every integration here shares one credential and a small run makes 2 requests
        // (its page and the empty page that ends it), so pacing alone capped small runs at ~5 runs/s: the job measures
        // the engines, so the bench's own loopback source is not paced (--paced keeps the default).
        values["Connectors__Pacing__Enabled"] = options.Paced ? "true" : "false";
        settings["Host"] = new JsonObject { ["LocalHttpPort"] = port };
        return settings;
    }

    /// <summary>Every property name anywhere in a JSON Schema (nested objects and $defs included).</summary>
    private static HashSet<string> Properties(JsonNode schema)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["properties"] is JsonObject properties)
                    {
                        foreach (var (name, _) in properties)
                        {
                            names.Add(name);
                        }
                    }

                    foreach (var (_, child) in o)
                    {
                        Walk(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        Walk(child);
                    }

                    break;
            }
        }

        Walk(schema);
        return names;
    }

    /// <summary>The enum values of every property named <paramref name="property"/> anywhere in a JSON Schema.</summary>
    private static List<string> Enumerations(JsonNode schema, string property)
    {
        var values = new List<string>();
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["properties"] is JsonObject properties && properties[property] is JsonObject p)
                    {
                        values.AddRange(Enums(p));
                    }

                    foreach (var (_, child) in o)
                    {
                        Walk(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        Walk(child);
                    }

                    break;
            }
        }

        static IEnumerable<string> Enums(JsonNode node) => node switch
        {
            JsonObject o when o["enum"] is JsonArray e => e.Select(v => v?.GetValueKind() == JsonValueKind.String ? (string)v! : "").Where(v => v.Length > 0),
            JsonObject o => o.SelectMany(c => c.Value is null ? [] : Enums(c.Value)),
            JsonArray a => a.SelectMany(c => c is null ? [] : Enums(c)),
            _ => [],
        };

        Walk(schema);
        return values;
    }
}
