using System.Runtime.CompilerServices;
using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Runs;
using IntegrationHub.TestDoubles.Cosmos;
using IntegrationHub.TestDoubles.SaaS;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>
/// Issue 13, faults 6 and 15 as the run engine and the integration service see them: a permanent connector failure
/// fails the run at its first attempt with the API's words; a temporary one waits to retry; a REST source without
/// auth is saved without a credential.
/// </summary>
public sealed class ConnectorFailureTests
{
    private const string Tenant = "t1";

    [Theory]
    [InlineData(ConnectorErrorKind.Authentication)]
    [InlineData(ConnectorErrorKind.DestinationRefused)]
    [InlineData(ConnectorErrorKind.Configuration)]
    [InlineData(ConnectorErrorKind.PaginationStalled)]
    [InlineData(ConnectorErrorKind.Request)]
    public async Task A_permanent_connector_failure_fails_the_run_at_once_with_the_apis_words(ConnectorErrorKind kind)
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("permanent"), s => s.AddConnector<FailingConnector>());
        var run = await StartAsync(hub, kind);

        await hub.DriveAsync(Tenant, run.Id);

        var failed = await hub.Runs.GetAsync(Tenant, run.Id, default);
        Assert.Equal(RunStatus.Failed, failed!.Status);
        Assert.Contains("invalid_auth", failed.Error, StringComparison.Ordinal);
        Assert.Equal(1, FailingConnector.Reads(run.IntegrationId!));
    }

    [Fact]
    public async Task A_temporary_connector_failure_waits_to_retry()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("transient"), s => s.AddConnector<FailingConnector>());
        var run = await StartAsync(hub, ConnectorErrorKind.Transient);

        await hub.DriveAsync(Tenant, run.Id);

        var waiting = await hub.Runs.GetAsync(Tenant, run.Id, default);
        Assert.Equal(RunStatus.Waiting, waiting!.Status);
        Assert.Equal(1, waiting.Steps[0].Attempts);
    }

    [Fact]
    public async Task A_429_with_Retry_After_ends_the_page_activity_rate_limited_until_then_and_the_page_is_read_again_after_it()
    {
        await using var api = new RestDouble();
        await api.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            api.AddItem($"item {i}", new DateTimeOffset(2025, 5, 1, 8, i, 0, TimeSpan.Zero));
        }

        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("ratelimit"), settings: new Dictionary<string, string?> { ["Connectors:Network:AllowPrivateNetworks"] = "true", ["Runs:PagesPerActivity"] = "1" });
        var integration = await hub.Integrations.CreateAsync(
            new Integration
            {
                Id = "rest-limited",
                TenantId = Tenant,
                Name = "limited",
                ConnectorId = "rest",
                Stream = "records",
                Configuration = JsonSerializer.SerializeToElement(new { url = $"{api.BaseAddress}page/items?since={{cursor}}", recordSelector = "data.items", cursorField = "updated_at", auth = "none", pagination = new { kind = "page", pageSize = 3 } }),
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            CancellationToken.None);
        var run = await hub.Launcher.StartSyncAsync(integration, default);
        await hub.Steps.BeginAsync(new RunRef(Tenant, run.Id), default);
        var call = new StepCall(Tenant, run.Id, 0, run.Definition.Count - 1);
        Assert.Equal(StepResultKind.Advanced, (await hub.Steps.SyncPageAsync(call, default)).Kind);
        var afterPage1 = await hub.Integrations.GetStateAsync(Tenant, integration.Id, default);
        var requestsBefore = api.RequestsTo("/page/items").Count;

        api.Fail("/page/items", 429, """{"message":"slow down"}""", ("Retry-After", "2"));
        var before = DateTimeOffset.UtcNow;
        var limited = await hub.Steps.SyncPageAsync(call, default);

        // One request, no sleep: the activity ends with the wait; the orchestration's durable timer does the waiting.
        Assert.Equal(StepResultKind.Wait, limited.Kind);
        Assert.InRange(limited.DelaySeconds, 1, 2);
        Assert.Equal(requestsBefore + 1, api.RequestsTo("/page/items").Count);
        var shown = await hub.Runs.GetAsync(Tenant, run.Id, default);
        Assert.Equal(RunStatus.RateLimited, shown!.Status);
        Assert.InRange(shown.DueAt, before.AddSeconds(1), DateTimeOffset.UtcNow.AddSeconds(2));
        Assert.Contains("429", shown.Error, StringComparison.Ordinal);
        var state = await hub.Integrations.GetStateAsync(Tenant, integration.Id, default);
        Assert.True(JsonElement.DeepEquals(afterPage1.Cursor!.Value, state.Cursor!.Value), "the cursor moved on a rate-limited page");
        Assert.Equal(4, state.NextSequenceId);
        Assert.Equal(3, (await hub.EventsAsync(Tenant, integration.Id)).Count);

        // Called again (after the timer), the page is read from the same cursor and the run finishes with each record once.
        StepResult next;
        do
        {
            next = await hub.Steps.SyncPageAsync(call, default);
        }
        while (next.Kind == StepResultKind.Advanced);

        Assert.Equal(StepResultKind.Completed, next.Kind);
        var events = await hub.EventsAsync(Tenant, integration.Id);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), events.Select(e => e.SequenceId).Order());
        Assert.Equal(7, events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(RunStatus.Running, (await hub.Runs.GetAsync(Tenant, run.Id, default))!.Status);
    }

    [Fact]
    public async Task A_rest_integration_without_auth_needs_no_credential_and_one_with_auth_does()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("restauth"));
        var service = hub.Services.GetRequiredService<IntegrationService>();

        var open = await service.CreateAsync(Tenant, new IntegrationDefinition("open", "rest", JsonSerializer.SerializeToElement(new { url = "https://api.example.com/items", auth = "none" })), default);
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => service.CreateAsync(Tenant, new IntegrationDefinition("keyed", "rest", JsonSerializer.SerializeToElement(new { url = "https://api.example.com/items", auth = "bearer" })), default));

        Assert.Null(open.CredentialId);
        Assert.Contains("credentialId", refused.Errors.Keys);
    }

    private static async Task<Run> StartAsync(EngineInstance hub, ConnectorErrorKind kind)
    {
        var integration = await hub.Integrations.CreateAsync(
            new Integration
            {
                Id = $"failing-{kind}-{Guid.NewGuid():N}",
                TenantId = Tenant,
                Name = "failing",
                ConnectorId = FailingConnector.Id,
                Stream = "items",
                Configuration = JsonSerializer.SerializeToElement(new { kind = kind.ToString() }),
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            CancellationToken.None);
        return await hub.Launcher.StartSyncAsync(integration, default);
    }

    /// <summary>A connector whose read fails with the <see cref="ConnectorErrorKind"/> its configuration names, as Slack's <c>invalid_auth</c> would.</summary>
    private sealed class FailingConnector : IConnector
    {
        public const string Id = "failing";

        private static readonly Dictionary<string, int> ReadCounts = [];

        public ConnectorDescriptor Descriptor { get; } = new()
        {
            Id = Id,
            DisplayName = "Failing",
            Category = "test",
            Description = "Fails every read.",
            Capabilities = new ConnectorCapabilities(PollStreams: true, Actions: false, Webhooks: false),
            Streams = [new StreamDescriptor("items", "Nothing.", "None.")],
            Credential = CredentialRequirement.None,
        };

        public static int Reads(string integrationId)
        {
            lock (ReadCounts)
            {
                return ReadCounts.GetValueOrDefault(integrationId);
            }
        }

        public Task<ConnectionCheck> CheckAsync(ConnectorContext context, CancellationToken cancellationToken) => Task.FromResult(ConnectionCheck.Success("ok"));

        public async IAsyncEnumerable<RecordPage> ReadAsync(ConnectorContext context, string stream, JsonElement? cursor, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            lock (ReadCounts)
            {
                ReadCounts[context.IntegrationId!] = ReadCounts.GetValueOrDefault(context.IntegrationId!) + 1;
            }

            await Task.Yield();
            var kind = Enum.Parse<ConnectorErrorKind>(context.Configuration.GetProperty("kind").GetString()!);
            throw new ConnectorException(Id, 200, kind, "Failing answered 200: invalid_auth (conversations.history)");
#pragma warning disable CS0162 // an iterator needs a yield
            yield break;
#pragma warning restore CS0162
        }

        public Task<JsonElement> ExecuteActionAsync(ConnectorContext context, string action, JsonElement input, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
