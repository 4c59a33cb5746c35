using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Tests.Runs;
using IntegrationHub.Core.Webhooks;
using IntegrationHub.Shared.Events;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Core.Tests.Webhooks;

/// <summary>
/// Issue 16: webhooks pushed by GitHub, Slack, Jira, Zulip and REST sources are verified as each system documents,
/// stored once per delivery id, and published once through the integration's mapping and the same sink as polls.
/// One hub "instance" is a service provider on a shared Cosmos database; killing it is disposing it.
/// </summary>
public sealed class WebhookIngestionTests
{
    private const string Tenant = "t-webhooks";

    [Fact]
    public async Task A_signed_GitHub_issue_event_is_published_once_and_a_replay_is_a_duplicate()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("wh"));
        var (integration, secret) = await GitHubIntegrationAsync(hub, "int-gh1");
        var body = Senders.GitHubIssue(1001, "Crash on start", "2026-11-29T10:00:00Z");

        var first = await Intake(hub).ReceiveAsync(integration.Id, Senders.GitHub(secret, body, "d-1"), default);
        var replay = await Intake(hub).ReceiveAsync(integration.Id, Senders.GitHub(secret, body, "d-1"), default);
        await Publisher(hub).PublishPendingAsync(Tenant, integration.Id, default);
        await Publisher(hub).PublishPendingAsync(Tenant, integration.Id, default);

        Assert.IsType<WebhookOutcome.Accepted>(first);
        Assert.IsType<WebhookOutcome.Duplicate>(replay);
        var events = await hub.EventsAsync(Tenant, integration.Id);
        var e = Assert.Single(events);
        Assert.Equal("com.integrationhub.github.issues.upserted", e.Event.Type);
        Assert.Equal($"/tenants/{Tenant}/integrations/{integration.Id}/streams/issues", e.Event.Source);
        Assert.Equal("1001", e.Event.Subject);
        Assert.Equal("hub.t-webhooks.github.issues", e.Topic);
        Assert.Equal("Crash on start", e.Event.Data.GetProperty("title").GetString()); // the integration's mapping applied
        Assert.False(e.Event.Data.TryGetProperty("user", out _));
    }

    [Fact]
    public async Task Tampered_wrongly_signed_and_unsigned_requests_are_refused_counted_and_store_nothing()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("wh"));
        var (integration, secret) = await GitHubIntegrationAsync(hub, "int-gh2");
        var body = Senders.GitHubIssue(1002, "Title", "2026-11-29T10:00:00Z");
        var metrics = hub.Services.GetRequiredService<WebhookMetrics>();

        var tampered = Senders.GitHub(secret, body, "d-1") with { Body = System.Text.Encoding.UTF8.GetBytes(body.Replace("Title", "Evil", StringComparison.Ordinal)) };
        var outcomes = new[]
        {
            await Intake(hub).ReceiveAsync(integration.Id, tampered, default),
            await Intake(hub).ReceiveAsync(integration.Id, Senders.GitHub("not-the-secret", body, "d-2"), default),
            await Intake(hub).ReceiveAsync(integration.Id, Senders.Request(body, ("X-GitHub-Delivery", "d-3"), ("X-GitHub-Event", "issues")), default),
            await Intake(hub).ReceiveAsync(integration.Id, Senders.GitHub(secret, body, "d-4", signatureOverride: "sha256=zz"), default),
        };

        Assert.Equal(
            [WebhookRejections.BadSignature, WebhookRejections.BadSignature, WebhookRejections.MissingSignature, WebhookRejections.BadSignature],
            outcomes.Select(o => Assert.IsType<WebhookOutcome.Rejected>(o).Reason));
        Assert.Equal(3, metrics.Rejected("github", WebhookRejections.BadSignature));
        Assert.Equal(1, metrics.Rejected("github", WebhookRejections.MissingSignature));
        Assert.Equal(0, await DeliveryCountAsync(hub));
    }

    [Fact]
    public async Task Unknown_disabled_and_secretless_integrations_are_not_found()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("wh"));
        var (integration, secret) = await GitHubIntegrationAsync(hub, "int-gh3");
        var body = Senders.GitHubIssue(1, "x", "2026-11-29T10:00:00Z");
        await CreateAsync(hub, "int-nosecret", "github", "issues");
        var disabled = await hub.Integrations.GetAsync(Tenant, integration.Id, default);
        await hub.Integrations.ReplaceAsync(disabled! with { Enabled = false }, default);

        Assert.IsType<WebhookOutcome.NotFound>(await Intake(hub).ReceiveAsync("int-unknown", Senders.GitHub(secret, body, "d"), default));
        Assert.IsType<WebhookOutcome.NotFound>(await Intake(hub).ReceiveAsync("bad id/..", Senders.GitHub(secret, body, "d"), default));
        Assert.IsType<WebhookOutcome.NotFound>(await Intake(hub).ReceiveAsync("int-nosecret", Senders.GitHub(secret, body, "d"), default));
        Assert.IsType<WebhookOutcome.NotFound>(await Intake(hub).ReceiveAsync(integration.Id, Senders.GitHub(secret, body, "d"), default));
    }

    [Fact]
    public async Task Slack_challenge_is_answered_stale_timestamps_are_refused_and_messages_published()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("wh"));
        var integration = await CreateAsync(hub, "int-slack", "slack", "messages");
        const string signingSecret = "8f742231b10e8888abcd99yyyzzz85a5";
        var issued = await Secrets(hub).SetAsync(Tenant, integration.Id, signingSecret, default);
        Assert.Null(issued.Secret); // Slack's secret is Slack's: never echoed
        var now = DateTimeOffset.UtcNow;

        var challenge = """{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""";
        var handshake = Assert.IsType<WebhookOutcome.Handshake>(await Intake(hub).ReceiveAsync(integration.Id, Senders.Slack(signingSecret, challenge, now), default));
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", handshake.Reply.GetProperty("challenge").GetString());

        var message = """{"type":"event_callback","event_id":"Ev0PV52K21","event_time":1764410000,"event":{"type":"message","channel":"C1","user":"U1","text":"hello","ts":"1764410000.000100"}}""";
        var stale = await Intake(hub).ReceiveAsync(integration.Id, Senders.Slack(signingSecret, message, now.AddMinutes(-6)), default);
        var future = await Intake(hub).ReceiveAsync(integration.Id, Senders.Slack(signingSecret, message, now.AddMinutes(6)), default);
        Assert.Equal(WebhookRejections.StaleTimestamp, Assert.IsType<WebhookOutcome.Rejected>(stale).Reason);
        Assert.Equal(WebhookRejections.StaleTimestamp, Assert.IsType<WebhookOutcome.Rejected>(future).Reason);

        Assert.IsType<WebhookOutcome.Accepted>(await Intake(hub).ReceiveAsync(integration.Id, Senders.Slack(signingSecret, message, now.AddMinutes(-4)), default));
        Assert.IsType<WebhookOutcome.Duplicate>(await Intake(hub).ReceiveAsync(integration.Id, Senders.Slack(signingSecret, message, now), default)); // Slack's retry: same event_id
        await Publisher(hub).PublishPendingAsync(Tenant, integration.Id, default);
        var e = Assert.Single(await hub.EventsAsync(Tenant, integration.Id));
        Assert.Equal("com.integrationhub.slack.messages.upserted", e.Event.Type);
        Assert.Equal("1764410000.000100", e.Event.Subject);
    }

    [Fact]
    public async Task Jira_Zulip_and_REST_deliveries_verify_with_their_own_schemes()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("wh"));
        var jira = await CreateAsync(hub, "int-jira", "jira", "issues");
        var jiraSecret = (await Secrets(hub).SetAsync(Tenant, jira.Id, null, default)).Secret!;
        var jiraBody = """{"timestamp":1764410000000,"webhookEvent":"jira:issue_updated","issue":{"id":"10001","key":"OPS-1","fields":{"summary":"Disk full","updated":"2026-11-29T10:00:00.000+0000"}}}""";
        Assert.IsType<WebhookOutcome.Accepted>(await Intake(hub).ReceiveAsync(jira.Id, Senders.Jira(jiraSecret, jiraBody, "a1b2c3"), default));
        Assert.IsType<WebhookOutcome.Duplicate>(await Intake(hub).ReceiveAsync(jira.Id, Senders.Jira(jiraSecret, jiraBody, "a1b2c3"), default));
        Assert.IsType<WebhookOutcome.Rejected>(await Intake(hub).ReceiveAsync(jira.Id, Senders.Jira("wrong", jiraBody, "a1b2c4"), default));

        var zulip = await CreateAsync(hub, "int-zulip", "zulip", "messages");
        await Secrets(hub).SetAsync(Tenant, zulip.Id, "xvOzfurIutdRRVLzpXrIIHXJvNfaJLJ0", default);
        string ZulipBody(string token) => $$"""{"bot_email":"bot@example.com","data":"@**bot** hi","message":{"id":112,"content":"@**bot** hi","sender_email":"iago@zulip.com","timestamp":1527876931,"type":"stream","subject":"Verona2"},"token":"{{token}}","trigger":"mention"}""";
        var accepted = Assert.IsType<WebhookOutcome.Accepted>(await Intake(hub).ReceiveAsync(zulip.Id, Senders.Zulip(ZulipBody("xvOzfurIutdRRVLzpXrIIHXJvNfaJLJ0")), default));
        Assert.True(accepted.Reply!.Value.GetProperty("response_not_required").GetBoolean());
        Assert.Equal(WebhookRejections.BadSignature, Assert.IsType<WebhookOutcome.Rejected>(await Intake(hub).ReceiveAsync(zulip.Id, Senders.Zulip(ZulipBody("xvOzfurIutdRRVLzpXrIIHXJvNfaJLJ1")), default)).Reason);

        var rest = await CreateAsync(hub, "int-rest", "rest", "records", JsonSerializer.SerializeToElement(new { url = "https://api.example.com/items", cursorField = "updated", webhook = new { signatureHeader = "X-Acme-Signature", signaturePrefix = "", deliveryIdHeader = "X-Acme-Delivery" } }));
        var restSecret = (await Secrets(hub).SetAsync(Tenant, rest.Id, null, default)).Secret!;
        var restBody = """[{"id":7,"updated":"2026-11-29T10:00:00Z","name":"a"},{"id":8,"updated":"2026-11-29T10:00:01Z","name":"b"}]""";
        var restAccepted = Assert.IsType<WebhookOutcome.Accepted>(await Intake(hub).ReceiveAsync(rest.Id, Senders.Rest(restSecret, restBody, "X-Acme-Signature", "", "X-Acme-Delivery", "r-1"), default));
        Assert.Equal(2, restAccepted.Records);
        Assert.Equal(WebhookRejections.MissingSignature, Assert.IsType<WebhookOutcome.Rejected>(await Intake(hub).ReceiveAsync(rest.Id, Senders.Request(restBody, ("X-Acme-Delivery", "r-2")), default)).Reason);

        foreach (var id in new[] { jira.Id, zulip.Id, rest.Id })
        {
            await Publisher(hub).PublishPendingAsync(Tenant, id, default);
        }

        Assert.Equal("com.integrationhub.jira.issues.upserted", Assert.Single(await hub.EventsAsync(Tenant, jira.Id)).Event.Type);
        Assert.Equal("112", Assert.Single(await hub.EventsAsync(Tenant, zulip.Id)).Event.Subject);
        Assert.Equal(2, (await hub.EventsAsync(Tenant, rest.Id)).Count);
        Assert.Equal(64, jiraSecret.Length);
    }

    [Fact]
    public async Task A_delivery_acknowledged_by_an_instance_killed_before_publishing_is_published_after_restart()
    {
        var database = SharedCosmosEmulator.NewDatabaseName("wh");
        string integrationId;
        await using (var first = await EngineInstance.StartAsync(database))
        {
            var (integration, secret) = await GitHubIntegrationAsync(first, "int-gh-kill");
            integrationId = integration.Id;
            var outcome = await Intake(first).ReceiveAsync(integration.Id, Senders.GitHub(secret, Senders.GitHubIssue(5, "acked", "2026-11-29T10:00:00Z"), "d-kill"), default);
            Assert.IsType<WebhookOutcome.Accepted>(outcome); // 2xx sent; the instance dies before its dispatcher ran
            Assert.Empty(await first.EventsAsync(Tenant, integration.Id));
        }

        await using var second = await EngineInstance.StartAsync(database);
        var dispatcher = second.Services.GetRequiredService<WebhookDispatcher>();
        await dispatcher.StartAsync(default); // start-up re-drives what earlier instances acknowledged
        await IntegrationHub.TestDoubles.Eventually.TrueAsync(async () => (await second.EventsAsync(Tenant, integrationId)).Count == 1, "the acknowledged delivery is published", TimeSpan.FromSeconds(20));
        await dispatcher.StopAsync(default);
        Assert.Equal("acked", Assert.Single(await second.EventsAsync(Tenant, integrationId)).Event.Data.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_redelivery_after_a_lost_answer_or_a_sink_outage_publishes_once()
    {
        var sink = new FlakySink();
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("wh"), s => s.AddSingleton<IEventSink>(sp => sink.Wrap(sp.GetRequiredService<CosmosEventLog>())));
        var (integration, secret) = await GitHubIntegrationAsync(hub, "int-gh-5xx");
        var body = Senders.GitHubIssue(9, "once", "2026-11-29T10:00:00Z");

        sink.FailNext = 1;
        Assert.IsType<WebhookOutcome.Accepted>(await Intake(hub).ReceiveAsync(integration.Id, Senders.GitHub(secret, body, "d-5xx"), default));
        Assert.Equal(0, await Publisher(hub).PublishPendingAsync(Tenant, integration.Id, default)); // the sink is down: stays pending
        // GitHub saw a 5xx/timeout for the same delivery (answer lost) and redelivers it.
        Assert.IsType<WebhookOutcome.Duplicate>(await Intake(hub).ReceiveAsync(integration.Id, Senders.GitHub(secret, body, "d-5xx"), default));
        Assert.Equal(1, await hub.Services.GetRequiredService<WebhookDispatcher>().RedriveAsync(TimeSpan.Zero, default));

        Assert.Single(await hub.EventsAsync(Tenant, integration.Id));
    }

    [Fact]
    public async Task Events_of_one_issue_keep_the_order_of_its_deliveries_and_a_poll_of_the_same_content_is_not_published_again()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("wh"));
        var (integration, secret) = await GitHubIntegrationAsync(hub, "int-gh-order");
        var titles = new[] { "v1", "v2", "v3", "v4" };
        for (var i = 0; i < titles.Length; i++)
        {
            Assert.IsType<WebhookOutcome.Accepted>(await Intake(hub).ReceiveAsync(integration.Id, Senders.GitHub(secret, Senders.GitHubIssue(42, titles[i], $"2026-11-29T10:00:0{i}Z"), $"d-{i}"), default));
            await Task.Delay(5); // distinct acknowledgement instants
        }

        await Publisher(hub).PublishPendingAsync(Tenant, integration.Id, default);
        var events = (await hub.EventsAsync(Tenant, integration.Id)).OrderBy(e => e.SequenceId).ToList();
        Assert.Equal(titles, events.Select(e => e.Event.Data.GetProperty("title").GetString()));
        Assert.All(events, e => Assert.Equal("42", e.Key));

        // A poll reading issue 42 unchanged computes the same event id (the run engine's rule), which the record memory
        // holds as the last published for key 42: the poll counts it unchanged and sends it to no sink.
        var last = events[^1].Event;
        var polled = EventIds.For(integration.Id, "issues", "42", "2026-11-29T10:00:03Z", "upserted", last.Data);
        var recalled = await hub.Services.GetRequiredService<RecordMemory>().RecallAsync(Tenant, integration.Id, "issues", ["42"], default);
        Assert.Equal(polled, recalled["42"].EventId);
    }

    [Fact]
    public async Task An_integration_over_its_rate_is_told_to_retry_later_and_others_are_not_held_up()
    {
        await using var hub = await EngineInstance.StartAsync(SharedCosmosEmulator.NewDatabaseName("wh"), settings: new Dictionary<string, string?> { ["Webhooks:Burst"] = "2", ["Webhooks:RequestsPerMinute"] = "1" });
        var (busy, secret) = await GitHubIntegrationAsync(hub, "int-gh-busy");
        var (quiet, quietSecret) = await GitHubIntegrationAsync(hub, "int-gh-quiet");
        var body = Senders.GitHubIssue(3, "x", "2026-11-29T10:00:00Z");

        var outcomes = new List<WebhookOutcome>();
        for (var i = 0; i < 3; i++)
        {
            outcomes.Add(await Intake(hub).ReceiveAsync(busy.Id, Senders.GitHub(secret, body, $"d-{i}"), default));
        }

        Assert.IsType<WebhookOutcome.Accepted>(outcomes[0]);
        Assert.IsType<WebhookOutcome.Accepted>(outcomes[1]);
        Assert.True(Assert.IsType<WebhookOutcome.RateLimited>(outcomes[2]).RetryAfter > TimeSpan.Zero);
        Assert.IsType<WebhookOutcome.Accepted>(await Intake(hub).ReceiveAsync(quiet.Id, Senders.GitHub(quietSecret, body, "d-0"), default));
    }

    private static WebhookIntake Intake(EngineInstance hub) => hub.Services.GetRequiredService<WebhookIntake>();

    private static WebhookPublisher Publisher(EngineInstance hub) => hub.Services.GetRequiredService<WebhookPublisher>();

    private static WebhookSecrets Secrets(EngineInstance hub) => hub.Services.GetRequiredService<WebhookSecrets>();

    private static async Task<(Integration Integration, string Secret)> GitHubIntegrationAsync(EngineInstance hub, string id)
    {
        var mapping = JsonSerializer.SerializeToElement(new { id = "$.id", title = "$.title", state = "$.state" });
        var integration = await CreateAsync(hub, id, "github", "issues", JsonSerializer.SerializeToElement(new { owner = "acme", repository = "widgets" }), mapping);
        var issued = await Secrets(hub).SetAsync(Tenant, id, null, default);
        return (integration, issued.Secret!);
    }

    private static Task<Integration> CreateAsync(EngineInstance hub, string id, string connector, string stream, JsonElement? configuration = null, JsonElement? mapping = null) =>
        hub.Integrations.CreateAsync(
            new Integration
            {
                Id = id,
                TenantId = Tenant,
                Name = id,
                ConnectorId = connector,
                Stream = stream,
                Configuration = configuration ?? JsonSerializer.SerializeToElement(new { }),
                Mapping = mapping,
                CreatedAt = DateTimeOffset.UtcNow,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            CancellationToken.None);

    private static async Task<int> DeliveryCountAsync(EngineInstance hub)
    {
        var container = hub.Services.GetRequiredService<Shared.Cosmos.HubCosmos>().Container(WebhookDeliveryStore.Container.Name);
        using var query = container.GetItemQueryIterator<JsonElement>(new QueryDefinition("SELECT * FROM c"));
        var count = 0;
        while (query.HasMoreResults)
        {
            count += (await query.ReadNextAsync()).Count;
        }

        return count;
    }

    /// <summary>The Cosmos event log that fails transiently <see cref="FailNext"/> times.</summary>
    private sealed class FlakySink
    {
        public int FailNext { get; set; }

        public IEventSink Wrap(CosmosEventLog inner) => new Sink(this, inner);

        private sealed class Sink(FlakySink owner, CosmosEventLog inner) : IEventSink
        {
            public string Name => inner.Name;

            public Task PublishAsync(EventBatch batch, CancellationToken cancellationToken) => PublishWithReceiptAsync(batch, cancellationToken);

            public Task<PublishReceipt> PublishWithReceiptAsync(EventBatch batch, CancellationToken cancellationToken)
            {
                if (owner.FailNext > 0)
                {
                    owner.FailNext--;
                    throw new EventPublishException("sink unavailable (test)", isTransient: true);
                }

                return inner.PublishWithReceiptAsync(batch, cancellationToken);
            }
        }
    }
}
