using IntegrationHub.Benchmarks;

// A tiny dispatcher: dotnet run -c Release --project bench/Hub.Benchmarks -- <benchmark> [arguments]
var benchmarks = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["sample-read"] = SampleReadBenchmark.RunAsync,
    ["sync"] = SyncBenchmark.RunAsync,
    ["hotpath"] = HotPathBenchmark.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"Usage: Hub.Benchmarks <{string.Join("|", benchmarks.Keys)}> [arguments]");
    return 2;
}

return await run(args[1..]);
