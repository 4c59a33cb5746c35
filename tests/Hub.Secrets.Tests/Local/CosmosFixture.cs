using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Secrets.Tests.Local;

/// <summary>One Cosmos emulator per test class; each test uses a database of its own.</summary>
public sealed class CosmosFixture : IAsyncLifetime
{
    public CosmosEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync() => Emulator = await CosmosEmulator.StartAsync();

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}
