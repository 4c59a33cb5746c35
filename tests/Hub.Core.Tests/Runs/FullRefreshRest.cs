using System.Text.Json;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>
/// What the full-refresh tests (<see cref="EventIdentityTests"/>, <see cref="PositionalMemoryTests"/>) share: a hub
/// that may call the loopback doubles, a generic REST integration of a double's <c>/items</c> without
/// <c>cursorField</c> (so a full-refresh read), and a run driven to its end, in tenant <see cref="Tenant"/>.
/// </summary>
internal static class FullRefreshRest
{
    /// <summary>The tenant of every integration and run made here.</summary>
    public const string Tenant = "t1";

    /// <summary>A hub in a database of its own that may call the loopback doubles.</summary>
    public static Task<EngineInstance> StartHubAsync(string database) =>
        EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName(database), settings: new Dictionary<string, string?> { ["Connectors:Network:AllowPrivateNetworks"] = "true" });

    /// <summary>A <c>rest</c> integration of <paramref name="api"/>'s <c>/items</c>: one request, or page pagination of <paramref name="pageSize"/>.</summary>
    public static Task<Integration> CreateRestAsync(EngineInstance hub, string id, Uri api, int? pageSize, string? name = null) =>
        hub.Integrations.CreateAsync(
            new Integration
            {
                Id = id,
                TenantId = Tenant,
                Name = name ?? id,
                ConnectorId = "rest",
                Stream = "records",
                Configuration = pageSize is { } size
                    ? JsonSerializer.SerializeToElement(new { url = new Uri(api, "items").ToString(), pagination = new { kind = "page", pageSize = size } })
                    : JsonSerializer.SerializeToElement(new { url = new Uri(api, "items").ToString() }),
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            default);

    /// <summary>Starts a sync of <paramref name="integration"/> and drives it to its end, which must be a success.</summary>
    public static async Task<Run> RunToEndAsync(EngineInstance hub, Integration integration)
    {
        var run = await hub.Launcher.StartSyncAsync(integration, default);
        await hub.DriveAsync(Tenant, run.Id);
        var done = (await hub.Runs.GetAsync(Tenant, run.Id, default))!;
        Assert.True(done.Status == RunStatus.Succeeded, $"run {done.Id} ended {done.Status}: {done.Error}");
        return done;
    }
}
