using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IntegrationHub.Comparison;

/// <summary>
/// n8n 1.123.81 as the project runs it (scripts/n8n-start.sh: the cached install, loopback, its own state folder,
/// owner and API key bootstrapped), with the equivalent workflow created through its public API:
/// Webhook → HTTP Request (page parameter <c>{{ $pageCount + 1 }}</c>, the node's built-in pagination until the
/// response is empty) → Set (the same 3 fields). A run is a webhook call that answers when the last node has
/// finished (no body), then a read of the executions API for the new execution's stop time (read again every 20 ms
/// in case n8n answered a moment before saving it). The hub side waits on the run the same way
/// (<c>GET /api/v1/runs/{id}?waitSeconds=</c>), so neither side pays a polling interval.
/// </summary>
internal sealed partial class N8nSide(Options options, PagedSource source, MemoryMonitor memory) : ISide
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private readonly string _state = Path.Combine(options.StateDir, "n8n");
    private HttpClient? _http;
    private string _large = "";
    private readonly List<(string Id, string Path)> _slots = [];
    private bool _started;

    public string Name => "n8n";

    public async Task<TimeSpan> StartAsync(CancellationToken cancellationToken)
    {
        var script = Path.Combine(options.RepoRoot, "scripts", "n8n-start.sh");
        Console.WriteLine($"n8n: starting with scripts/n8n-start.sh (state {_state})");
        var info = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--state-dir");
        info.ArgumentList.Add(_state);
        info.Environment["NODE_OPTIONS"] = $"--max-old-space-size={options.NodeHeapMb}";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("scripts/n8n-start.sh did not start.");
        _started = true;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        watch.Stop();
        var (output, errors) = (await stdout, await stderr);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/n8n-start.sh failed ({process.ExitCode}): {errors}");
        }

        var pid = int.Parse(File.ReadAllText(Path.Combine(_state, "n8n.pid")).Trim(), CultureInfo.InvariantCulture);
        memory.Watch(pid, Name, commandLine => commandLine.Contains("task-runner", StringComparison.OrdinalIgnoreCase) || commandLine.Contains("runners", StringComparison.OrdinalIgnoreCase) ? "task runner" : "n8n");
        var baseUrl = Export(output, "N8N_TEST_BASE_URL");
        var apiKey = Export(output, "N8N_TEST_API_KEY");

        // The script reports launch-to-REST-ready itself; the rest of its time is the owner and key bootstrap.
        var ready = ReadyLine().Match(errors) is { Success: true } m
            ? TimeSpan.FromMilliseconds(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            : watch.Elapsed;
        Console.WriteLine($"n8n: ready in {ready.TotalSeconds:0.0} s ({watch.Elapsed.TotalSeconds:0.0} s with owner and API key)");

        // No keep-alive: while a large execution blocks n8n's event loop, Node's 5 s keep-alive timer fires as soon as
        // the loop is free and closes a connection that already carries the next poll, which then fails with a reset.
        _http = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(30) }; // a webhook call lasts the whole run
        _http.DefaultRequestHeaders.ConnectionClose = true;
        _http.DefaultRequestHeaders.Add("X-N8N-API-KEY", apiKey);
        _large = await CreateWorkflowAsync("comparison-large", cancellationToken);
        for (var i = 0; i < options.SmallParallel; i++)
        {
            var path = $"comparison-small-{i}";
            _slots.Add((await CreateWorkflowAsync(path, cancellationToken), path));
        }

        return ready;
    }

    public async Task<RunResult> RunAsync(long records, CancellationToken cancellationToken)
    {
        var servedBefore = source.RecordsServed;
        var (executionId, requested, stopped) = await RunOnceAsync(_large, "comparison-large", records, cancellationToken);
        var served = source.RecordsServed - servedBefore;
        if (served != records)
        {
            throw new InvalidOperationException($"n8n: a run of {records:N0} records read {served:N0} from the source.");
        }

        if (records <= options.VerifyItemsUpTo)
        {
            await VerifyOutputAsync(executionId, records, cancellationToken);
        }

        return new RunResult(records, stopped - requested);
    }

    public async Task<double> SmallRunsAsync(int runs, long records, int parallel, CancellationToken cancellationToken)
    {
        var next = -1;
        var started = DateTimeOffset.UtcNow;
        var ends = new DateTimeOffset[runs];
        await Task.WhenAll(_slots.Take(parallel).Select(async slot =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < runs)
            {
                var (executionId, _, stopped) = await RunOnceAsync(slot.Id, slot.Path, records, cancellationToken);
                if (index == 0)
                {
                    await VerifyOutputAsync(executionId, records, cancellationToken);
                }

                ends[index] = stopped;
            }
        }));
        return runs / (ends.Max() - started).TotalSeconds;
    }

    /// <summary>Calls the workflow's webhook, which answers when the run has finished, and reads the new execution's stop time.</summary>
    private async Task<(string ExecutionId, DateTimeOffset Requested, DateTimeOffset Stopped)> RunOnceAsync(string workflowId, string path, long records, CancellationToken cancellationToken)
    {
        var http = _http!;
        var before = await LatestExecutionAsync(workflowId, cancellationToken);
        var requested = DateTimeOffset.UtcNow;
        using (var answer = await http.PostAsJsonAsync($"webhook/{path}", new { total = records }, cancellationToken))
        {
            answer.EnsureSuccessStatusCode();
        }

        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(Poll, cancellationToken);
            }

            if (await LatestExecutionAsync(workflowId, cancellationToken) is not { } execution || (string?)execution["id"] == (string?)before?["id"])
            {
                continue;
            }

            var status = (string?)execution["status"];
            if (execution["stoppedAt"] is null || status is "running" or "new" or "waiting")
            {
                continue;
            }

            if (status != "success")
            {
                throw new InvalidOperationException($"n8n: execution {execution["id"]} ended '{status}'.");
            }

            return ((string)execution["id"]!, requested, DateTimeOffset.Parse((string)execution["stoppedAt"]!, CultureInfo.InvariantCulture));
        }
    }

    private async Task<JsonNode?> LatestExecutionAsync(string workflowId, CancellationToken cancellationToken)
    {
        var page = await GetAsync($"api/v1/executions?workflowId={workflowId}&limit=1", cancellationToken);
        return page["data"]?.AsArray().FirstOrDefault();
    }

    /// <summary>
    /// A GET (safe to repeat), tried again when the connection fails (5 attempts) or n8n answers 503 while its database is
    /// busy (after a 1,000,000-item execution it answered "Database is not ready!" while saving it; up to 2 minutes).
    /// </summary>
    private async Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken)
    {
        var busySince = DateTimeOffset.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var response = await _http!.GetAsync(path, cancellationToken);
                if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && DateTimeOffset.UtcNow - busySince < TimeSpan.FromMinutes(2))
                {
                    response.Dispose();
                    await Task.Delay(1_000, cancellationToken);
                    continue;
                }

                return await HubLaunch.Json(response, cancellationToken);
            }
            catch (HttpRequestException) when (attempt < 5)
            {
                await Task.Delay(500 * attempt, cancellationToken);
            }
        }
    }

    /// <summary>The Set node's output: one item per record, with exactly the mapped fields. n8n reports success a moment before the data is readable.</summary>
    private async Task VerifyOutputAsync(string executionId, long records, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var execution = await GetAsync($"api/v1/executions/{executionId}?includeData=true", cancellationToken);
            if (execution["data"]?["resultData"]?["runData"]?["Map fields"]?[0]?["data"]?["main"]?[0]?.AsArray() is { } items)
            {
                var first = items.FirstOrDefault()?["json"];
                if (items.Count != records || first?["fullName"] is null || first["city"] is null || first["id"] is null || first.AsObject().Count != 3)
                {
                    throw new InvalidOperationException($"n8n: execution {executionId} mapped {items.Count} items (expected {records}), first {first?.ToJsonString()}");
                }

                return;
            }

            if (attempt >= 50)
            {
                throw new InvalidOperationException($"n8n: execution {executionId} has no readable run data for 'Map fields'.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task<string> CreateWorkflowAsync(string path, CancellationToken cancellationToken)
    {
        static string Id() => Guid.NewGuid().ToString();
        var workflow = new JsonObject
        {
            ["name"] = $"IntegrationHub comparison ({path})",
            ["nodes"] = new JsonArray
            {
                new JsonObject
                {
                    ["id"] = Id(), ["name"] = "Webhook", ["type"] = "n8n-nodes-base.webhook", ["typeVersion"] = 2, ["position"] = new JsonArray(0, 0),
                    ["webhookId"] = Id(),
                    ["parameters"] = new JsonObject { ["httpMethod"] = "POST", ["path"] = path, ["responseMode"] = "lastNode", ["responseData"] = "noData", ["options"] = new JsonObject() },
                },
                new JsonObject
                {
                    ["id"] = Id(), ["name"] = "Read pages", ["type"] = "n8n-nodes-base.httpRequest", ["typeVersion"] = 4.2, ["position"] = new JsonArray(220, 0),
                    ["parameters"] = new JsonObject
                    {
                        ["method"] = "GET",
                        ["url"] = $"={source.BaseUrl}/records/{{{{ $json.body.total }}}}",
                        ["options"] = new JsonObject
                        {
                            ["pagination"] = new JsonObject
                            {
                                ["pagination"] = new JsonObject
                                {
                                    ["paginationMode"] = "updateAParameterInEachRequest",
                                    ["parameters"] = new JsonObject
                                    {
                                        ["parameters"] = new JsonArray(new JsonObject { ["type"] = "qs", ["name"] = "page", ["value"] = "={{ $pageCount + 1 }}" }),
                                    },
                                    ["paginationCompleteWhen"] = "responseIsEmpty",
                                    ["limitPagesFetched"] = false,
                                },
                            },
                        },
                    },
                },
                new JsonObject
                {
                    ["id"] = Id(), ["name"] = "Map fields", ["type"] = "n8n-nodes-base.set", ["typeVersion"] = 3.4, ["position"] = new JsonArray(440, 0),
                    ["parameters"] = new JsonObject
                    {
                        ["mode"] = "manual",
                        ["includeOtherFields"] = false,
                        ["assignments"] = new JsonObject
                        {
                            ["assignments"] = new JsonArray(
                                new JsonObject { ["id"] = Id(), ["name"] = "id", ["value"] = "={{ $json.id }}", ["type"] = "number" },
                                new JsonObject { ["id"] = Id(), ["name"] = "fullName", ["value"] = "={{ $json.name }}", ["type"] = "string" },
                                new JsonObject { ["id"] = Id(), ["name"] = "city", ["value"] = "={{ $json.address.city }}", ["type"] = "string" }),
                        },
                        ["options"] = new JsonObject(),
                    },
                },
            },
            ["connections"] = new JsonObject
            {
                ["Webhook"] = Main("Read pages"),
                ["Read pages"] = Main("Map fields"),
            },
            ["settings"] = new JsonObject { ["executionOrder"] = "v1" },
        };
        var created = await HubLaunch.Json(await _http!.PostAsJsonAsync("api/v1/workflows", workflow, cancellationToken), cancellationToken);
        var id = (string)created["id"]!;
        await HubLaunch.Json(await _http!.PostAsync($"api/v1/workflows/{id}/activate", null, cancellationToken), cancellationToken);
        return id;

        static JsonObject Main(string node) => new()
        {
            ["main"] = new JsonArray(new JsonArray(new JsonObject { ["node"] = node, ["type"] = "main", ["index"] = 0 })),
        };
    }

    public async Task StopAsync()
    {
        memory.Sample();
        _http?.Dispose();
        _http = null;
        if (!_started)
        {
            return;
        }

        _started = false;
        var info = new ProcessStartInfo(Path.Combine(options.RepoRoot, "scripts", "n8n-stop.sh")) { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add("--state-dir");
        info.ArgumentList.Add(_state);
        using var stop = Process.Start(info);
        if (stop is not null)
        {
            await stop.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static string Export(string output, string name) =>
        output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith($"export {name}=", StringComparison.Ordinal))?[$"export {name}=".Length..]
        ?? throw new InvalidOperationException($"scripts/n8n-start.sh printed no {name}.");

    [GeneratedRegex(@"n8n ready on \S+ \(pid \d+\) in (\d+) ms")]
    private static partial Regex ReadyLine();
}
