using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles.N8n;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Livy;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Functions.Tests.Steps;

/// <summary>
/// One hub on the Functions host for the job-step tests, wired like production to a real n8n (shared), the Livy
/// double and the GitHub double, over real sockets. Runs start through the API as Durable Functions orchestrations
/// that wait for their jobs on durable timers, as in Azure; tests read them as stored, through the hub's run store
/// in the test process.
/// </summary>
public sealed class StepsFixture : IAsyncLifetime
{
    private readonly Dictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    public N8nFixture N8n { get; } = new();

    public LivyDouble Livy { get; } = new();

    public GitHubDouble GitHub { get; } = new();

    public HubHost Hub { get; private set; } = null!;

    public RunStore Runs => Hub.Stores.GetRequiredService<RunStore>();

    public async Task InitializeAsync()
    {
        await Task.WhenAll(N8n.InitializeAsync(), Livy.StartAsync(), GitHub.StartAsync());
        Hub = await HubHost.StartAsync(N8n.Settings(new()
        {
            ["Connectors:Network:AllowPrivateNetworks"] = "true",
            ["Livy:BaseUrl"] = Livy.BaseAddress.ToString(),
            ["Livy:PollInterval"] = "00:00:01",
        }));
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        if (Hub is not null)
        {
            await Hub.DisposeAsync();
        }

        await Livy.DisposeAsync();
        await GitHub.DisposeAsync();
        await N8n.DisposeAsync();
    }

    /// <summary>A tenant of its own for a test, and a client with its API key (disposed with the fixture).</summary>
    public async Task<(string TenantId, HttpClient Client)> TenantAsync()
    {
        var tenantId = $"steps-{Guid.NewGuid():N}"[..20];
        var (client, _) = await Hub.TenantAsync(tenantId);
        _clients[tenantId] = client;
        return (tenantId, client);
    }

    /// <summary>Saves a flow through the API (so its steps are validated as a user's are); returns its id.</summary>
    public static async Task<string> CreateFlowAsync(HttpClient client, object flow)
    {
        using var response = await client.PostAsJsonAsync("api/v1/flows", flow);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Starts a run of the flow through the API (202; the worker starts advancing it at once); the run as stored.</summary>
    public async Task<Run> StartAsync(string tenantId, string flowId)
    {
        using var started = await _clients[tenantId].PostAsync(new Uri($"api/v1/flows/{flowId}/run", UriKind.Relative), null);
        var text = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, text);
        var runId = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        return (await Runs.GetAsync(tenantId, runId, default))!;
    }

    /// <summary>The run once it has settled: waiting on a durable timer between polls (no step running: during a poll the polled step shows running), or ended.</summary>
    public Task<Run> SettledAsync(Run run) => WhenAsync(run, r => r.IsTerminal || (r.Status == RunStatus.Waiting && r.Steps.All(s => s.Status != StepStatus.Running)), "to settle");

    /// <summary>Waits (while its orchestration advances it) until the run reaches <paramref name="status"/> or ends.</summary>
    public async Task<Run> ResumeUntilAsync(Run run, RunStatus status)
    {
        var current = await WhenAsync(run, r => r.Status == status || r.IsTerminal, $"to become {status}");
        Assert.True(current.Status == status, $"run ended {current.Status}: {current.Error}");
        return current;
    }

    /// <summary>Waits until the host has run the <c>RunStep</c> activity (a job's poll) <paramref name="times"/> more times.</summary>
    public async Task PollsAsync(int times)
    {
        static bool Finished(string line) => line.Contains("Executed 'Functions.RunStep'", StringComparison.Ordinal);
        var target = Hub.Logs.Lines.Count(Finished) + times;
        await Eventually.TrueAsync(() => Hub.Logs.Lines.Count(Finished) >= target, $"{times} RunStep invocations", TimeSpan.FromSeconds(60));
    }

    private async Task<Run> WhenAsync(Run run, Func<Run, bool> condition, string what)
    {
        Run? current = null;
        await Eventually.TrueAsync(
            async () => condition(current = (await Runs.GetAsync(run.TenantId, run.Id, default))!),
            $"run {run.Id} {what}",
            TimeSpan.FromSeconds(90));
        return current!;
    }
}

[CollectionDefinition(Name)]
public sealed class StepsGroup : ICollectionFixture<StepsFixture>
{
    public const string Name = "steps";
}
