using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IntegrationHub.TestDoubles.Cosmos;
using Xunit;

namespace IntegrationHub.TestDoubles.N8n;

/// <summary>
/// A real n8n 1.123.81 for the n8n tests, with the test workflows created through its public API: the one n8n
/// fixture of the test tree (Hub.Jobs.Tests and Hub.Functions.Tests both use it; each declares its own collection,
/// as xunit finds collection definitions only in the test assembly).
/// </summary>
/// <remarks>
/// Uses the instance named by <c>N8N_TEST_BASE_URL</c> / <c>N8N_TEST_API_KEY</c> when scripts/test.sh started one;
/// otherwise starts one with scripts/n8n-start.sh (fresh, on a free loopback port) and stops it afterwards. When n8n
/// is not installed the tests fail with the command that installs it: they never skip. Workflows get a tag and
/// webhook paths of their own, so several fixtures can share one n8n.
/// </remarks>
public sealed class N8nFixture : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private string? _stateDir;
    private JsonObject _tag = [];

    public string BaseUrl { get; private set; } = string.Empty;

    public string ApiKey { get; private set; } = string.Empty;

    /// <summary>The tag the hub's catalog looks for in these tests.</summary>
    public string Tag => $"ih-test-{_suffix}";

    public JsonObject Echo { get; private set; } = [];

    public JsonObject Untagged { get; private set; } = [];

    public JsonObject Failing { get; private set; } = [];

    public JsonObject Background { get; private set; } = [];

    public JsonObject BackgroundFailing { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var url = Environment.GetEnvironmentVariable("N8N_TEST_BASE_URL");
        var key = Environment.GetEnvironmentVariable("N8N_TEST_API_KEY");
        if (!string.IsNullOrEmpty(url) && !string.IsNullOrEmpty(key))
        {
            (BaseUrl, ApiKey) = (url, key);
        }
        else
        {
            await StartOwnAsync();
        }

        using var api = Api();
        var tag = _tag = await PostAsync(api, "api/v1/tags", new JsonObject { ["name"] = Tag });
        var otherTag = await PostAsync(api, "api/v1/tags", new JsonObject { ["name"] = $"ih-other-{_suffix}" });

        Echo = await CreateAsync(api, "echo", tag, Webhook("echo"), Respond("={{ { \"greeting\": \"Hello, \" + $json.body.name, \"doubled\": $json.body.n * 2, \"key\": $json.body.idempotencyKey } }}"));
        Untagged = await CreateAsync(api, "untagged", otherTag, Webhook("untagged"), Respond("={{ { \"ok\": true } }}"));
        Failing = await CreateAsync(api, "failing", tag, Webhook("failing"), StopAndError("Order {{ $json.body.order }} was rejected by the ERP"), Respond("={{ { \"never\": true } }}"));
        Background = await CreateAsync(
            api,
            "background",
            tag,
            Webhook("background"),
            Respond("={{ { \"executionId\": $execution.id } }}"),
            Node("Wait", "n8n-nodes-base.wait", 1.1, new JsonObject { ["resume"] = "timeInterval", ["amount"] = 1, ["unit"] = "seconds" }),
            Node("Total", "n8n-nodes-base.set", 3.4, new JsonObject
            {
                ["mode"] = "raw",
                ["jsonOutput"] = "={{ { \"total\": $('Webhook').item.json.body.a + $('Webhook').item.json.body.b } }}",
                ["options"] = new JsonObject(),
            }));
        BackgroundFailing = await CreateAsync(api, "background-failing", tag, Webhook("background-failing"), Respond("={{ { \"executionId\": $execution.id } }}"), StopAndError("Ledger locked for {{ $('Webhook').item.json.body.account }}"));
    }

    public async Task DisposeAsync()
    {
        if (_stateDir is not null)
        {
            await RunScriptAsync("n8n-stop.sh", "--state-dir", _stateDir);
            try
            {
                Directory.Delete(_stateDir, recursive: true);
            }
            catch (IOException)
            {
                // n8n may still be flushing its log; the temp folder is cleaned by the OS.
            }
        }
    }

    /// <summary>
    /// The hub's settings for this n8n in configuration form (<c>N8n:BaseUrl</c>, <c>N8n:ApiKey</c>,
    /// <c>N8n:WorkflowTag</c>, a 1-s execution poll), with <paramref name="overrides"/> applied last.
    /// </summary>
    public Dictionary<string, string?> Settings(Dictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["N8n:BaseUrl"] = BaseUrl,
            ["N8n:ApiKey"] = ApiKey,
            ["N8n:WorkflowTag"] = Tag,
            ["N8n:ExecutionPollInterval"] = "00:00:01",
        };
        foreach (var (name, value) in overrides ?? [])
        {
            settings[name] = value;
        }

        return settings;
    }

    /// <summary>
    /// Creates a workflow from an n8n export (its name, nodes, connections and settings), with its webhook paths moved
    /// under this fixture's prefix and this fixture's tag, and activates it.
    /// </summary>
    public async Task<JsonObject> ImportAsync(JsonObject export)
    {
        using var api = Api();
        var nodes = export["nodes"]!.DeepClone().AsArray();
        foreach (var node in nodes.OfType<JsonObject>().Where(n => (string?)n["type"] == "n8n-nodes-base.webhook"))
        {
            node["parameters"]!["path"] = PathOf((string)node["parameters"]!["path"]!);
            node["webhookId"] = Guid.NewGuid().ToString();
        }

        var workflow = await PostAsync(api, "api/v1/workflows", new JsonObject
        {
            ["name"] = $"{(string)export["name"]!} {_suffix}",
            ["nodes"] = nodes,
            ["connections"] = export["connections"]!.DeepClone(),
            ["settings"] = export["settings"]?.DeepClone() ?? new JsonObject { ["executionOrder"] = "v1" },
        });
        await TagAndActivateAsync(api, IdOf(workflow), _tag);
        return workflow;
    }

    /// <summary>The executions n8n keeps of a workflow (<c>GET /api/v1/executions?workflowId=</c>), newest first.</summary>
    public async Task<JsonArray> ExecutionsOfAsync(string workflowId)
    {
        using var api = Api();
        var page = JsonNode.Parse(await api.GetStringAsync($"api/v1/executions?workflowId={Uri.EscapeDataString(workflowId)}&limit=50"))!;
        return page["data"]!.AsArray();
    }

    public static string IdOf(JsonObject workflow) => (string)workflow["id"]!;

    public string PathOf(string name) => $"ih-{_suffix}/{name}";

    private async Task StartOwnAsync()
    {
        _stateDir = Path.Combine(Path.GetTempPath(), $"ih-n8n-{_suffix}");
        var (exitCode, output, errors) = await RunScriptAsync("n8n-start.sh", "--state-dir", _stateDir);
        if (exitCode == 3)
        {
            throw new InvalidOperationException($"n8n is not installed, so the n8n tests cannot run. Install it once per machine with scripts/n8n-install.sh (scripts/test.sh does this). {errors.Trim()}");
        }

        if (exitCode != 0)
        {
            throw new InvalidOperationException($"scripts/n8n-start.sh failed with exit code {exitCode}:\n{errors}\n{output}");
        }

        var settings = File.ReadAllLines(Path.Combine(_stateDir, "n8n.env"))
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        BaseUrl = settings["N8N_TEST_BASE_URL"];
        ApiKey = settings["N8N_TEST_API_KEY"];
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunScriptAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot.Path, "scripts", script), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"bash did not start {script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output, await errors);
    }

    private HttpClient Api()
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Add("X-N8N-API-KEY", ApiKey);
        return http;
    }

    private static async Task<JsonObject> PostAsync(HttpClient api, string path, JsonNode body)
    {
        using var response = await api.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"n8n answered {(int)response.StatusCode} to POST {path}: {text}");
        }

        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Creates a workflow of the nodes in a chain, tags it and activates it.</summary>
    private async Task<JsonObject> CreateAsync(HttpClient api, string name, JsonObject tag, params JsonObject[] nodes)
    {
        var connections = new JsonObject();
        for (var i = 0; i + 1 < nodes.Length; i++)
        {
            connections[(string)nodes[i]["name"]!] = new JsonObject
            {
                ["main"] = new JsonArray(new JsonArray(new JsonObject { ["node"] = (string)nodes[i + 1]["name"]!, ["type"] = "main", ["index"] = 0 })),
            };
        }

        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i]["position"] = new JsonArray(250 * i, 300);
        }

        var workflow = await PostAsync(api, "api/v1/workflows", new JsonObject
        {
            ["name"] = $"{name} {_suffix}",
            ["nodes"] = new JsonArray(nodes),
            ["connections"] = connections,
            ["settings"] = new JsonObject { ["executionOrder"] = "v1" },
        });
        await TagAndActivateAsync(api, IdOf(workflow), tag);
        return workflow;
    }

    private static async Task TagAndActivateAsync(HttpClient api, string id, JsonObject tag)
    {
        using (var tagged = await api.PutAsJsonAsync($"api/v1/workflows/{id}/tags", new JsonArray(new JsonObject { ["id"] = (string)tag["id"]! })))
        {
            if (!tagged.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"n8n answered {(int)tagged.StatusCode} to tagging workflow {id}: {await tagged.Content.ReadAsStringAsync()}");
            }
        }

        await PostAsync(api, $"api/v1/workflows/{id}/activate", new JsonObject());
    }

    private JsonObject Webhook(string name)
    {
        var node = Node("Webhook", "n8n-nodes-base.webhook", 2, new JsonObject
        {
            ["httpMethod"] = "POST",
            ["path"] = PathOf(name),
            ["responseMode"] = "responseNode",
            ["options"] = new JsonObject(),
        });
        node["webhookId"] = Guid.NewGuid().ToString();
        return node;
    }

    private static JsonObject Respond(string body) =>
        Node("Respond", "n8n-nodes-base.respondToWebhook", 1.1, new JsonObject { ["respondWith"] = "json", ["responseBody"] = body, ["options"] = new JsonObject() });

    private static JsonObject StopAndError(string message) =>
        Node("Stop", "n8n-nodes-base.stopAndError", 1, new JsonObject { ["errorMessage"] = "=" + message });

    private static JsonObject Node(string name, string type, double version, JsonObject parameters) => new()
    {
        ["id"] = Guid.NewGuid().ToString(),
        ["name"] = name,
        ["type"] = type,
        ["typeVersion"] = version,
        ["parameters"] = parameters,
    };
}
