using System.Collections.Concurrent;
using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.Secrets;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>
/// One hub "instance" as the run activities see it — the real stores, connectors, secret store and run steps,
/// wired as the hub wires them — against a Cosmos database that several instances may share.
/// </summary>
internal sealed class EngineInstance : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private EngineInstance(ServiceProvider services) => _services = services;

    public IServiceProvider Services => _services;

    public IRunSteps Steps => _services.GetRequiredService<IRunSteps>();

    public RunLauncher Launcher => _services.GetRequiredService<RunLauncher>();

    public RunStore Runs => _services.GetRequiredService<RunStore>();

    public IntegrationStore Integrations => _services.GetRequiredService<IntegrationStore>();

    public CosmosEventLog EventLog => _services.GetRequiredService<CosmosEventLog>();

    public static async Task<EngineInstance> StartAsync(string database, Action<IServiceCollection>? configure = null, IDictionary<string, string?>? settings = null)
    {
        var emulator = await SharedCosmosEmulator.GetAsync();
        var config = emulator.Settings(database);
        config["Runs:RetryBaseDelay"] = "00:00:01";
        config["Secrets:LocalKey"] = Convert.ToBase64String(new byte[32]);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(config).Build());
        services.AddSingleton<IHostEnvironment>(new TestEnvironment());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddHubCosmos();
        services.AddHubSecrets();
        services.AddConnectors();
        configure?.Invoke(services);
        services.AddHubCore();
        var provider = services.BuildServiceProvider();
        var cosmos = provider.GetRequiredService<HubCosmos>();
        await cosmos.EnsureCreatedAsync(CancellationToken.None);
        return new EngineInstance(provider);
    }

    /// <summary>
    /// Drives a run through its activities the way <c>RunOrchestrator</c> does, without timers: until it ends, or
    /// until an activity asks to wait or retry (returned). An exception from an activity (a crash) propagates.
    /// A pending run starts as a new run's orchestration does (the plan from its document, no <c>BeginRun</c>); a run
    /// already running (driven again after a crash) as a new generation does (<c>BeginRun</c>). The last unit is called
    /// with <see cref="StepCall.EndsRun"/>, so a success is recorded by that call, not by <c>FinishRun</c>.
    /// </summary>
    public async Task<StepResult> DriveAsync(string tenantId, string runId)
    {
        var stored = await Runs.GetAsync(tenantId, runId, default);
        var plan = stored is { Status: RunStatus.Pending } ? Steps.PlanOf(stored) : await Steps.BeginAsync(new RunRef(tenantId, runId), default);
        if (plan.Ended)
        {
            return new StepResult(StepResultKind.Completed);
        }

        for (var u = 0; u < plan.Steps.Count; u++)
        {
            var unit = plan.Steps[u];
            var call = new StepCall(tenantId, runId, unit.First, unit.Last, EndsRun: u == plan.Steps.Count - 1);
            while (true)
            {
                var result = unit.Segment ? await Steps.SyncPageAsync(call, default) : await Steps.RunStepAsync(call, default);
                if (result.Kind == StepResultKind.Advanced)
                {
                    continue;
                }

                if (result.Kind == StepResultKind.Ended)
                {
                    return new StepResult(StepResultKind.Completed);
                }

                if (result.Kind == StepResultKind.Completed)
                {
                    break;
                }

                if (result.Kind == StepResultKind.Failed)
                {
                    await Steps.FinishAsync(new RunEnd(tenantId, runId, RunStatus.Failed, result.Error), default);
                }
                else if (result.Kind == StepResultKind.Cancelled)
                {
                    await Steps.CancelAsync(new RunRef(tenantId, runId), default);
                }

                return result;
            }
        }

        await Steps.FinishAsync(new RunEnd(tenantId, runId, RunStatus.Succeeded, null), default);
        return new StepResult(StepResultKind.Completed);
    }

    /// <summary>A Sample integration of <paramref name="count"/> records in pages of <paramref name="pageSize"/>.</summary>
    public async Task<Integration> SampleIntegrationAsync(string tenantId, string id, long count, int pageSize, JsonElement? mapping = null, string? schedule = null, DateTimeOffset? createdAt = null) =>
        await Integrations.CreateAsync(
            new Integration
            {
                Id = id,
                TenantId = tenantId,
                Name = id,
                ConnectorId = "sample",
                Stream = "events",
                Configuration = JsonSerializer.SerializeToElement(new { count, pageSize }),
                Mapping = mapping,
                Schedule = schedule,
                CreatedAt = createdAt ?? DateTimeOffset.UtcNow,
                UpdatedAt = createdAt ?? DateTimeOffset.UtcNow,
            },
            CancellationToken.None);

    /// <summary>Every event of a run in the Cosmos event log.</summary>
    public async Task<List<LoggedEvent>> EventsAsync(string tenantId, string integrationId)
    {
        var all = new List<LoggedEvent>();
        string? token = null;
        do
        {
            var page = await EventLog.ListAsync(tenantId, integrationId, null, 200, token, CancellationToken.None);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return all;
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}

/// <summary>
/// The real Cosmos event log with a kill switch: after publishing the batch it was told to, it throws as if
/// the process died right after the sink acknowledged and before the engine committed the cursor.
/// </summary>
internal sealed class CrashingSink(CosmosEventLog inner) : IEventSink
{
    private int _batches;

    public int CrashAfterBatch { get; set; } = -1;

    public ConcurrentBag<string> Published { get; } = [];

    public string Name => inner.Name;

    public async Task PublishAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        await inner.PublishAsync(batch, cancellationToken);
        foreach (var e in batch.Events)
        {
            Published.Add(e.Event.Id);
        }

        if (Interlocked.Increment(ref _batches) == CrashAfterBatch)
        {
            throw new ProcessKilledException();
        }
    }
}

/// <summary>
/// The real Cosmos event log as its own outbox (<see cref="IOutboxSink"/>) with a hook: right after it took the page
/// numbered <see cref="AfterPage"/> (from 1), <see cref="Then"/> runs — by default it throws as if the process died right
/// after the page document was created and before the commit.
/// </summary>
internal sealed class CrashingOutboxSink(CosmosEventLog inner) : IOutboxSink
{
    private int _pages;

    public int AfterPage { get; set; } = -1;

    public Func<OutboxPage, CancellationToken, Task> Then { get; set; } = (_, _) => throw new ProcessKilledException();

    public string Name => inner.Name;

    public Task PublishAsync(EventBatch batch, CancellationToken cancellationToken) => inner.PublishAsync(batch, cancellationToken);

    public Task<PublishReceipt> PublishWithReceiptAsync(EventBatch batch, CancellationToken cancellationToken) => inner.PublishWithReceiptAsync(batch, cancellationToken);

    public async Task<OutboxPage?> PublishPageAsync(OutboxPage page, CancellationToken cancellationToken)
    {
        var held = await inner.PublishPageAsync(page, cancellationToken);
        if (Interlocked.Increment(ref _pages) == AfterPage)
        {
            await Then(page, cancellationToken);
        }

        return held;
    }

    public Task<OutboxPage?> GetPageAsync(string tenantId, string topic, string producerName, string runId, long firstSequenceId, CancellationToken cancellationToken) =>
        inner.GetPageAsync(tenantId, topic, producerName, runId, firstSequenceId, cancellationToken);
}

/// <summary>Stands for the process dying: nothing in the engine handles it specially.</summary>
internal sealed class ProcessKilledException() : Exception("process killed (test)")
{
}
