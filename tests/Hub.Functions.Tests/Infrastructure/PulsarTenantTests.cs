using IntegrationHub.TestDoubles.Pulsar;

namespace IntegrationHub.Functions.Tests.Infrastructure;

/// <summary>
/// A test class on the Pulsar hub that works as a tenant of its own: the tenant (id <c>{prefix}-{8 hex}</c>) is
/// created before each test and its client closed after; <see cref="Topic"/> is where the hub publishes the events
/// of the tenant's sample integration.
/// </summary>
public abstract class PulsarTenantTests(PulsarHubFixture fixture, string prefix) : IAsyncLifetime
{
#pragma warning disable CA1051 // Fields the derived tests use as their own (they were theirs before this base).
    protected readonly HubHost _hub = fixture.Hub;
    protected readonly PulsarWebSocketDouble _pulsar = fixture.Pulsar;
    protected readonly string _tenantId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
    protected HttpClient _tenant = null!;
#pragma warning restore CA1051

    /// <summary>The tenant's sample events topic.</summary>
    protected string Topic => $"persistent://public/default/hub.{_tenantId}.sample.events";

    public async Task InitializeAsync() => (_tenant, _) = await _hub.TenantAsync(_tenantId);

    public virtual Task DisposeAsync()
    {
        _tenant.Dispose();
        return Task.CompletedTask;
    }
}
