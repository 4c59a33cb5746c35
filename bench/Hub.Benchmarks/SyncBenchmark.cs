using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.Pulsar;
using IntegrationHub.Secrets;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles.Cosmos;
using IntegrationHub.TestDoubles.Pulsar;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Benchmarks;

/// <summary>
/// End-to-end sync throughput: a Sample integration of N records (default 1,000,000) through the real run
/// engine — read, transform, outbox, publish, cursor commit and run checkpoint per page in the local
/// Cosmos DB emulator — into either an in-process sink (the pipeline's own cost) or the Pulsar WebSocket
/// double through the hub's real Pulsar client, or the default sink, the Cosmos event log in the same emulator.
/// Prints records/s, pages, and memory.
/// Usage: sync [count] [pageSize] [memory|pulsar|cosmos]
/// </summary>
public static class SyncBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var pageSize = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000;
        var sinkKind = args.Length > 2 ? args[2] : "memory";

        await using var emulator = await CosmosEmulator.StartAsync();
        await using var pulsar = new PulsarWebSocketDouble();
        var settings = emulator.Settings($"bench-{Guid.NewGuid():N}"[..20]);
        settings["Secrets:LocalKey"] = Convert.ToBase64String(new byte[32]);
        if (sinkKind == "pulsar")
        {
            await pulsar.StartAsync();
            settings["Pulsar:ServiceUrl"] = pulsar.ServiceUrl;
        }

        var counting = new CountingSink();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<IHostEnvironment>(new BenchEnvironment());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddConsole());
        services.AddHubCosmos();
        services.AddHubSecrets();
        services.AddConnectors();
        services.AddHubPulsar();
        if (sinkKind == "memory")
        {
            services.AddSingleton<IEventSink>(counting);
        }

        services.AddHubCore();
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<HubCosmos>().EnsureCreatedAsync(CancellationToken.None);
        var integrations = provider.GetRequiredService<IntegrationStore>();
        var integration = await integrations.CreateAsync(
            new Integration
            {
                Id = "bench",
                TenantId = "bench",
                Name = "bench",
                ConnectorId = "sample",
                Stream = "events",
                Configuration = JsonSerializer.SerializeToElement(new { count, pageSize }),
                Mapping = JsonSerializer.SerializeToElement(new { id = "$.sequence", name = "$.name", amount = "$.amount", kind = new { @const = "sample" } }),
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            CancellationToken.None);
        var run = await provider.GetRequiredService<RunLauncher>().StartSyncAsync(integration, CancellationToken.None);
        var steps = provider.GetRequiredService<IRunSteps>();
        var runs = provider.GetRequiredService<RunStore>();

        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var peakHeap = heapBefore;
        using var sampler = new Timer(_ => peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false)), null, 0, 100);
        var watch = Stopwatch.StartNew();
        // The activities as the run orchestration calls them, without the Functions host: one SyncPage per page.
        var plan = await steps.BeginAsync(new RunRef("bench", run.Id), CancellationToken.None);
        foreach (var unit in plan.Steps)
        {
            var call = new StepCall("bench", run.Id, unit.First, unit.Last);
            while ((unit.Segment ? await steps.SyncPageAsync(call, CancellationToken.None) : await steps.RunStepAsync(call, CancellationToken.None)).Kind == StepResultKind.Advanced)
            {
            }
        }

        await steps.FinishAsync(new RunEnd("bench", run.Id, RunStatus.Succeeded, null), CancellationToken.None);
        var done = await runs.GetAsync("bench", run.Id, CancellationToken.None);
        watch.Stop();

        using var process = Process.GetCurrentProcess();
        var published = done!.Progress.RecordsPublished;
        Console.WriteLine($"sync into {sinkKind}: {count:N0} Sample records, pages of {pageSize:N0}, status {done.Status}");
        Console.WriteLine($"  records published   {published:N0}{(sinkKind == "pulsar" ? $" (topic holds {pulsar.Messages(TopicOf(integration)).Count:N0})" : sinkKind == "cosmos" ? " (into the Cosmos event log)" : $" (sink counted {counting.Count:N0})")}");
        Console.WriteLine($"  pages checkpointed  {done.Progress.Pages:N0}");
        Console.WriteLine($"  elapsed             {watch.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine($"  throughput          {published / watch.Elapsed.TotalSeconds:N0} records/s");
        Console.WriteLine($"  managed heap        before {heapBefore / 1048576.0:F1} MB, peak {peakHeap / 1048576.0:F1} MB, after {GC.GetTotalMemory(true) / 1048576.0:F1} MB");
        Console.WriteLine($"  peak working set    {process.PeakWorkingSet64 / 1048576.0:F1} MB{(sinkKind == "pulsar" ? " (includes the in-process Pulsar double, which keeps every message)" : string.Empty)}");
        return done.Status == RunStatus.Succeeded && published == count ? 0 : 1;
    }

    private static string TopicOf(Integration integration) =>
        $"persistent://public/default/{EventNaming.TopicForStream(integration.TenantId, integration.ConnectorId, integration.Stream)}";

    private sealed class CountingSink : IEventSink
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public string Name => "memory";

        public Task PublishAsync(EventBatch batch, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _count, batch.Events.Count);
            return Task.CompletedTask;
        }
    }

    private sealed class BenchEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";

        public string ApplicationName { get; set; } = "bench";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
