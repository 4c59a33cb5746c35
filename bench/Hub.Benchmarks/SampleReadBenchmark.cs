using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Connectors.Sample;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Benchmarks;

/// <summary>
/// Reads N (default 1,000,000) Sample records through the real connector, as the run engine would (pages
/// enumerated and dropped), and prints throughput and memory: if pages were held, the managed heap would
/// grow with N; it must stay flat.
/// </summary>
public static class SampleReadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var pageSize = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000;

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddConnectors();
        await using var provider = services.BuildServiceProvider();
        var connector = provider.GetRequiredService<IConnectorCatalog>().Find(SampleConnector.ConnectorId)!;
        var context = new ConnectorContext
        {
            TenantId = "bench",
            Configuration = JsonSerializer.SerializeToElement(new { count, pageSize, seed = 42 }),
        };

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var heapSamples = new List<long>();
        var stopwatch = Stopwatch.StartNew();

        long records = 0;
        long checksum = 0;
        long nextSample = count / 10;
        await foreach (var page in connector.ReadAsync(context, "events", null, CancellationToken.None))
        {
            foreach (var record in page.Records)
            {
                checksum += record.Data.GetProperty("sequence").GetInt64();
            }

            records += page.Records.Count;
            if (records >= nextSample)
            {
                heapSamples.Add(GC.GetTotalMemory(forceFullCollection: false));
                nextSample += count / 10;
            }
        }

        stopwatch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();

        var expected = count * (count + 1) / 2;
        Console.WriteLine($"sample-read: {records:N0} records in pages of {pageSize:N0}, {stopwatch.Elapsed.TotalSeconds:0.00} s, {records / stopwatch.Elapsed.TotalSeconds:N0} records/s");
        Console.WriteLine($"  managed heap before:      {Mb(heapBefore)}");
        Console.WriteLine($"  managed heap during (max): {Mb(heapSamples.DefaultIfEmpty(0).Max())} (samples every 10%: {string.Join(", ", heapSamples.Select(Mb))})");
        Console.WriteLine($"  managed heap after:       {Mb(heapAfter)}");
        Console.WriteLine($"  allocated in total:       {Mb(allocated)} ({allocated / Math.Max(1, records):N0} B/record, all collectable)");
        Console.WriteLine($"  peak working set:         {Mb(process.PeakWorkingSet64)}");
        Console.WriteLine($"  GC collections gen0/1/2:  {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        if (records != count || checksum != expected)
        {
            Console.Error.WriteLine($"sample-read: expected {count} records (checksum {expected}), got {records} (checksum {checksum})");
            return 1;
        }

        return 0;
    }

    private static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:0.0} MB";
}
