using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Flows;
using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.Jobs;
using IntegrationHub.Jobs.Tests.N8n;
using IntegrationHub.TestDoubles;
using IntegrationHub.TestDoubles.Livy;
using IntegrationHub.TestDoubles.SaaS;

namespace IntegrationHub.Functions.Tests.Steps;

/// <summary>
/// One real hub for the job-step tests, wired like production to a real n8n (shared), the Livy double and the
/// GitHub double, over real sockets. Runs are advanced through the hub's own <see cref="RunEngine"/>, so waits,
/// checkpoints and leases are the real ones. Timers are off: each test decides when the engine runs.
/// </summary>
public sealed class StepsFixture : IAsyncLifetime
{
    public N8nFixture N8n { get; } = new();

    public LivyDouble Livy { get; } = new();

    public GitHubDouble GitHub { get; } = new();

    /// <summary>Arms a crash of the advancing instance right after Livy accepted a batch (before the run checkpointed it).</summary>
    public CrashSwitch CrashAfterSubmit { get; } = new();

    public HubHost Hub { get; private set; } = null!;

    public RunEngine Engine => Hub.Services.GetRequiredService<RunEngine>();

    public RunStore Runs => Hub.Services.GetRequiredService<RunStore>();

    public async Task InitializeAsync()
    {
        await Task.WhenAll(N8n.InitializeAsync(), Livy.StartAsync(), GitHub.StartAsync());
        Hub = await HubHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Connectors:Network:AllowPrivateNetworks"] = "true",
                ["N8n:BaseUrl"] = N8n.BaseUrl,
                ["N8n:ApiKey"] = N8n.ApiKey,
                ["N8n:WorkflowTag"] = N8n.Tag,
                ["N8n:ExecutionPollIntervalSeconds"] = "1",
                ["Livy:BaseUrl"] = Livy.BaseAddress.ToString(),
                ["Livy:PollIntervalSeconds"] = "1",
            },
            services => services.AddHttpClient(JobsServiceCollectionExtensions.LivyHttpClient).AddHttpMessageHandler(() => new CrashAfterSubmitHandler(CrashAfterSubmit)));
    }

    public async Task DisposeAsync()
    {
        if (Hub is not null)
        {
            await Hub.DisposeAsync();
        }

        await Livy.DisposeAsync();
        await GitHub.DisposeAsync();
        await N8n.DisposeAsync();
    }

    /// <summary>A tenant of its own for a test, and a client with its API key.</summary>
    public async Task<(string TenantId, HttpClient Client)> TenantAsync()
    {
        var tenantId = $"steps-{Guid.NewGuid():N}"[..20];
        var (client, _) = await Hub.TenantAsync(tenantId);
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

    /// <summary>Starts a run of the flow without advancing it (the API would also kick it in the background).</summary>
    public async Task<Run> StartAsync(string tenantId, string flowId)
    {
        var flow = await Hub.Services.GetRequiredService<FlowStore>().GetAsync(tenantId, flowId, default);
        return await Hub.Services.GetRequiredService<RunLauncher>().StartFlowAsync(flow!, default);
    }

    /// <summary>One invocation of the engine on the run (what the kicker or ResumeRuns does), then the run as stored.</summary>
    public async Task<Run> AdvanceAsync(Run run)
    {
        Assert.True(await Engine.AdvanceAsync(run.TenantId, run.Id, null, default), "the engine should take the run's lease");
        return (await Runs.GetAsync(run.TenantId, run.Id, default))!;
    }

    /// <summary>Calls ResumeRuns (which only advances runs whose wait is over) until the run reaches <paramref name="status"/>.</summary>
    public async Task<Run> ResumeUntilAsync(Run run, RunStatus status)
    {
        Run? current = null;
        await Eventually.TrueAsync(
            async () =>
            {
                await Engine.ResumeDueAsync(default);
                current = await Runs.GetAsync(run.TenantId, run.Id, default);
                return current!.Status == status || current.IsTerminal;
            },
            $"run {run.Id} to become {status}");
        Assert.True(current!.Status == status, $"run ended {current.Status}: {current.Error}");
        return current;
    }
}

[CollectionDefinition(Name)]
public sealed class StepsGroup : ICollectionFixture<StepsFixture>
{
    public const string Name = "steps";
}

/// <summary>Whether the next accepted Livy submission crashes the instance that sent it.</summary>
public sealed class CrashSwitch
{
    private int _armed;

    public void Arm() => Interlocked.Exchange(ref _armed, 1);

    public bool TryFire() => Interlocked.Exchange(ref _armed, 0) == 1;
}

/// <summary>Thrown where the process would have died: after Livy accepted the batch, before anything was checkpointed.</summary>
public sealed class SimulatedCrashException() : Exception("Simulated crash right after POST /batches.");

internal sealed class CrashAfterSubmitHandler(CrashSwitch crash) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/batches", StringComparison.Ordinal) && response.IsSuccessStatusCode && crash.TryFire())
        {
            response.Dispose();
            throw new SimulatedCrashException();
        }

        return response;
    }
}
