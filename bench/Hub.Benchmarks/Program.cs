// Benchmarks print figures; they never assert. Usage: dotnet run -c Release --project bench/Hub.Benchmarks -- <name> [args]
var benchmarks = new Dictionary<string, Func<string[], Task>>(StringComparer.OrdinalIgnoreCase);

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.WriteLine($"Benchmarks: {(benchmarks.Count == 0 ? "(none yet)" : string.Join(", ", benchmarks.Keys))}");
    return args.Length == 0 ? 0 : 1;
}

await run(args[1..]);
return 0;
