namespace IntegrationHub.TestDoubles.Cosmos;

/// <summary>
/// One emulator process per test process, started on first use and killed when the process exits.
/// Test classes share it and stay independent by each using a database of their own.
/// </summary>
public static class SharedCosmosEmulator
{
    private static readonly Lazy<Task<CosmosEmulator>> Instance = new(StartAsync);

    /// <summary>The shared emulator.</summary>
    public static Task<CosmosEmulator> GetAsync() => Instance.Value;

    /// <summary>A database name no other test uses.</summary>
    public static string NewDatabaseName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    private static async Task<CosmosEmulator> StartAsync()
    {
        var emulator = await CosmosEmulator.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => emulator.StopAsync().GetAwaiter().GetResult();
        return emulator;
    }
}
