using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Nodes;
using IntegrationHub.Connectors.Http;
using IntegrationHub.Connectors.Jira;
using IntegrationHub.Connectors.Rest;
using IntegrationHub.Connectors.Sample;
using IntegrationHub.Connectors.Slack;
using IntegrationHub.TestDoubles.SaaS;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Connectors.Tests;

public sealed class SdkTests
{
    [Fact]
    public async Task The_catalog_lists_the_built_ins_and_filters_by_category_and_text()
    {
        await using var hub = Harness.Create();

        Assert.Equal(["github", "jira", "rest", "sample", "slack", "zulip"], hub.Catalog.All.Select(d => d.Id).Order());
        Assert.Equal(["slack", "zulip"], hub.Catalog.Search("chat", null).Select(d => d.Id).Order());
        Assert.Equal(["jira"], hub.Catalog.Search(null, "JQL").Select(d => d.Id));
        Assert.Empty(hub.Catalog.Search("chat", "jira"));
    }

    [Fact]
    public async Task A_connector_registered_before_the_built_ins_replaces_one_with_the_same_id()
    {
        await using var hub = Harness.Create(configure: services => services.AddConnector<FakeSlack>());

        Assert.IsType<FakeSlack>(hub.Catalog.Find("slack"));
        Assert.Equal(6, hub.Catalog.All.Count);
    }

    [Fact]
    public async Task Schemas_name_fields_in_camelCase_with_required_defaults_and_secrets()
    {
        await using var hub = Harness.Create();
        var jira = hub.Catalog.Find(JiraConnector.ConnectorId)!.Descriptor;

        var configuration = jira.ConfigurationSchema.AsObject();
        var credential = jira.CredentialSchema.AsObject();

        Assert.Contains("siteUrl", configuration["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("uri", configuration["properties"]!["siteUrl"]!["format"]!.GetValue<string>());
        Assert.Equal(100, configuration["properties"]!["pageSize"]!["maximum"]!.GetValue<double>());
        Assert.Equal("UTC", configuration["properties"]!["timeZone"]!["default"]!.GetValue<string>());
        Assert.True(credential["properties"]!["apiToken"]!["writeOnly"]!.GetValue<bool>());
        Assert.Null(credential["properties"]!["email"]!["writeOnly"]);
        Assert.Equal("issueType", jira.Actions.Single().InputSchema["properties"]!.AsObject().Select(p => p.Key).Single(k => k == "issueType"));
    }

    [Fact]
    public void Validation_names_each_bad_field_by_its_json_path()
    {
        var json = JsonSerializer.SerializeToElement(new
        {
            url = 42,
            recordSelectr = "typo",
            pagination = new { kind = "pages", pageSize = 0 },
        });

        var errors = ConnectorConfigurationValidator.Validate(typeof(RestConfiguration), json);

        Assert.Contains(errors, e => e.Field == "url" && e.Message.Contains("Expected string", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "recordSelectr" && e.Message.Contains("Unknown field", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "pagination.kind" && e.Message.Contains("Must be one of", StringComparison.Ordinal));
    }

    [Fact]
    public void Validation_reports_missing_required_fields_and_data_annotation_rules()
    {
        var missing = ConnectorConfigurationValidator.Validate(typeof(JiraConfiguration), JsonSerializer.SerializeToElement(new { jql = "project = A" }));
        var outOfRange = ConnectorConfigurationValidator.Validate(typeof(RestConfiguration), JsonSerializer.SerializeToElement(new { url = "https://x", pagination = new { pageSize = 0 } }));
        var badUrl = ConnectorConfigurationValidator.Validate(typeof(JiraConfiguration), JsonSerializer.SerializeToElement(new { siteUrl = "not a url" }));
        var valid = ConnectorConfigurationValidator.Validate(typeof(JiraConfiguration), JsonSerializer.SerializeToElement(new { siteUrl = "https://x.atlassian.net" }));

        Assert.Equal([new FieldError("siteUrl", "The field is required.")], missing);
        Assert.Equal("pagination.pageSize", Assert.Single(outOfRange).Field);
        Assert.Equal("siteUrl", Assert.Single(badUrl).Field);
        Assert.Empty(valid);
    }

    [Fact]
    public void Validation_runs_the_catalog_schema_through_JsonSchema_Net_and_names_array_items_by_index()
    {
        var json = JsonSerializer.SerializeToElement(new
        {
            narrow = new object[] { new { @operator = "channel", operand = "general" }, new { @operator = "topic", operand = 5 }, new { operand = "x", negate = true } },
        });

        var errors = ConnectorConfigurationValidator.Validate(typeof(Zulip.ZulipConfiguration), json);

        Assert.Contains(errors, e => e is { Field: "narrow[1].operand" } && e.Message.Contains("Expected string, got number", StringComparison.Ordinal));
        Assert.Contains(new FieldError("narrow[2].operator", "The field is required."), errors);
        Assert.Contains(new FieldError("narrow[2].negate", "Unknown field 'negate'."), errors);
        Assert.Equal([new FieldError("", "A value is required.")], ConnectorConfigurationValidator.Validate(typeof(Zulip.ZulipConfiguration), JsonSerializer.SerializeToElement<object?>(null)));
    }

    [Fact]
    public async Task A_bad_configuration_fails_the_call_with_field_errors_and_no_request()
    {
        await using var hub = Harness.Create();
        var context = hub.Context(new { channel = "general" }, new Dictionary<string, string> { ["botToken"] = "xoxb-secret-value" });

        var error = Assert.Throws<ConnectorValidationException>(() => hub.Catalog.Find(SlackConnector.ConnectorId)!.ReadAsync(context, "messages", null, CancellationToken.None));
        var credentialError = Assert.Throws<ConnectorValidationException>(() =>
            hub.Catalog.Find(SlackConnector.ConnectorId)!.ReadAsync(hub.Context(new { channel = "C123" }, new Dictionary<string, string> { ["token"] = "xoxb-secret-value" }), "messages", null, CancellationToken.None));

        Assert.Equal("channel", Assert.Single(error.Errors).Field);
        Assert.Contains(credentialError.Errors, e => e.Field == "token" && e.Message.Contains("Unknown field", StringComparison.Ordinal));
        Assert.Contains(credentialError.Errors, e => e.Field == "botToken");
        Assert.DoesNotContain("xoxb-secret-value", credentialError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_context_prints_no_secret()
    {
        var context = new ConnectorContext { TenantId = "t", CredentialId = "c", Credentials = new Dictionary<string, string> { ["token"] = "very-secret" } };

        Assert.DoesNotContain("very-secret", context.ToString(), StringComparison.Ordinal);
        Assert.Contains("redacted", context.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limit_waits_and_requests_are_measured_on_the_connectors_meter()
    {
        await using var slack = new SlackDouble();
        await slack.StartAsync();
        slack.AddMessage("C0123ABCD", "hi");
        slack.RateLimitNext("conversations.history", 9);
        await using var hub = Harness.Create();
        var measurements = new List<(string Instrument, double Value, string? Tag)>();
        using var listener = new MeterListener();

        // Only this harness's meter: other test classes running at the same time record on meters of the same name.
        var factory = hub.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ConnectorMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i.Name, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i.Name, v, tags));
        listener.Start();
        var context = hub.Context(new { channel = "C0123ABCD", apiBaseUrl = $"{slack.BaseAddress}api" }, new Dictionary<string, string> { ["botToken"] = slack.Token });

        await Harness.ReadAsync(hub.Connector("slack"), context, "messages");

        lock (measurements)
        {
            Assert.Contains(measurements, m => m is ("hub.connector.requests", 1, "429"));
            Assert.Contains(measurements, m => m is ("hub.connector.requests", 1, "200"));
            Assert.Contains(measurements, m => m is ("hub.connector.rate_limit.wait_duration", 9, _));
            Assert.Equal(0, measurements.Where(m => m.Instrument == "hub.connector.rate_limit.waiting").Sum(m => m.Value));
            Assert.Contains(measurements, m => m is ("hub.connector.rate_limit.waiting", 1, _));
        }

        void Record(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? status = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "status")
                {
                    status = tag.Value?.ToString();
                }
            }

            lock (measurements)
            {
                measurements.Add((name, value, status));
            }
        }
    }

    [Fact]
    public void Link_headers_are_parsed_as_RFC_8288_says()
    {
        var header = "<https://api.github.com/repositories/1/issues?page=2>; rel=\"next\", <https://api.github.com/repositories/1/issues?page=5>; rel=\"last\"";

        Assert.Equal("https://api.github.com/repositories/1/issues?page=2", LinkHeader.Find(header, "next", null)?.ToString());
        Assert.Equal("https://api.github.com/repositories/1/issues?page=5", LinkHeader.Find(header, "last", null)?.ToString());
        Assert.Null(LinkHeader.Find(header, "prev", null));
        Assert.Equal("https://x.test/items?page=3", LinkHeader.Find("</items?page=3>; rel=\"next\"", "next", new Uri("https://x.test/items?page=2"))?.ToString());
    }

    [Fact]
    public void Sample_records_are_deterministic_and_resume_exactly()
    {
        var configuration = new SampleConfiguration { Count = 10, PageSize = 4, Seed = 7 };

        var a = SampleConnector.Create(configuration, 3);
        var b = SampleConnector.Create(configuration, 3);
        var otherSeed = SampleConnector.Create(configuration with { Seed = 8 }, 3);

        Assert.Equal(a.Data.GetRawText(), b.Data.GetRawText());
        Assert.NotEqual(a.Data.GetRawText(), otherSeed.Data.GetRawText());
    }

    [Fact]
    public async Task Sample_reads_every_record_once_and_resumes_from_a_page_cursor()
    {
        await using var hub = Harness.Create();
        var sample = hub.Connector(SampleConnector.ConnectorId);
        var context = hub.Context(new { count = 10, pageSize = 4 });

        var first = await Harness.ReadAsync(sample, context, "events", maxPages: 1);
        var rest = await Harness.ReadAsync(sample, context, "events", first[^1].Cursor);

        Assert.Equal(Enumerable.Range(1, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Harness.Ids(first.Concat(rest)));
        Assert.Equal(JsonNode.Parse("""{"position":10}""")!.ToJsonString(), JsonNode.Parse(rest[^1].Cursor.GetRawText())!.ToJsonString());
    }

    [Fact]
    public async Task A_missing_configuration_means_all_defaults_and_a_foreign_cursor_is_refused()
    {
        await using var hub = Harness.Create();
        var sample = hub.Connector(SampleConnector.ConnectorId);
        var context = new ConnectorContext { TenantId = "t" };

        var pages = await Harness.ReadAsync(sample, context, "events");

        Assert.Equal(1000, Harness.Ids(pages).Count);
        Assert.Throws<ConnectorException>(() => sample.ReadAsync(context, "events", JsonSerializer.SerializeToElement("42"), CancellationToken.None));
    }

    [Fact]
    public async Task An_invalid_setting_is_reported_by_its_app_setting_name()
    {
        await using var hub = Harness.Create(settings: new Dictionary<string, string?> { ["Connectors:Resilience:MaxRetries"] = "99" });

        var error = Assert.Throws<OptionsValidationException>(() => hub.Services.GetRequiredService<IOptions<ConnectorOptions>>().Value);

        Assert.Contains("Connectors__Resilience__MaxRetries", error.Message, StringComparison.Ordinal);
    }

    private sealed class FakeSlack(ConnectorServices services) : Connector<SlackConfiguration, SlackCredential>(services)
    {
        protected override ConnectorDescriptor Describe() => new()
        {
            Id = "slack",
            DisplayName = "Fake Slack",
            Category = "chat",
            Description = "test",
            Capabilities = new ConnectorCapabilities(true, false, false),
            Streams = [new StreamDescriptor("messages", "", "")],
        };

        protected override Task<ConnectionCheck> CheckAsync(ConnectorSession<SlackConfiguration, SlackCredential> session, CancellationToken cancellationToken) =>
            Task.FromResult(ConnectionCheck.Success("fake"));

        protected override IAsyncEnumerable<RecordPage> ReadAsync(ConnectorSession<SlackConfiguration, SlackCredential> session, string stream, JsonElement? cursor, CancellationToken cancellationToken) =>
            AsyncEnumerable.Empty<RecordPage>();
    }
}
