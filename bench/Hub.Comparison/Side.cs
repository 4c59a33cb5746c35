namespace IntegrationHub.Comparison;

/// <summary>One run of the job: how many records came out and how long it took, request start to run end.</summary>
internal sealed record RunResult(long Records, TimeSpan Elapsed)
{
    public double RecordsPerSecond => Records / Elapsed.TotalSeconds;
}

/// <summary>A system under comparison: started cold, prepared, run, stopped.</summary>
internal interface ISide : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Starts every process of the side; answers the time from launch until it is ready for the API.</summary>
    Task<TimeSpan> StartAsync(CancellationToken cancellationToken);

    /// <summary>Runs the job once over <paramref name="records"/> records and checks that all of them came through.</summary>
    Task<RunResult> RunAsync(long records, CancellationToken cancellationToken);

    /// <summary><paramref name="runs"/> runs of <paramref name="records"/> records, <paramref name="parallel"/> at a time: runs/s, from the first request to the last run's end.</summary>
    Task<double> SmallRunsAsync(int runs, long records, int parallel, CancellationToken cancellationToken);

    Task StopAsync();
}
