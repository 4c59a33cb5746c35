using System.Text;
using System.Text.Json;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;

namespace IntegrationHub.Shared.Tests.Events;

/// <summary>The envelope is the CloudEvents SDK's structured-mode JSON, with the hub's attributes, names and values unchanged.</summary>
public sealed class CloudEventEnvelopeTests
{
    private static readonly CloudEvent Event = new()
    {
        Id = EventIds.For("int-1", "issues", "rec-7", "v3"),
        Source = "/tenants/acme/integrations/int-1/streams/issues",
        Type = "com.integrationhub.github.issues.upserted",
        Subject = "rec-7",
        Time = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero),
        TenantId = "acme",
        IntegrationId = "int-1",
        RunId = "run-1",
        Data = JsonSerializer.SerializeToElement(new { number = 7, title = "Issue 7" }),
    };

    [Theory]
    [InlineData("2026-01-05T09:00:00+00:00", "rec-7", "run-1", """{"a":1,"b":"é <&>","c":[null,true,1.50],"d":{}}""")]
    [InlineData("2026-01-05T09:00:00.1234567+02:00", null, null, "\"text \\\" with \\\\ escapes \\u00e9 <b>\"")]
    [InlineData(null, "s", null, "null")]
    [InlineData(null, null, "r", null)]
    public void Structured_mode_round_trips_every_attribute_and_the_data(string? time, string? subject, string? runId, string? data)
    {
        var cloudEvent = Event with
        {
            Time = time is null ? null : DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture),
            Subject = subject,
            RunId = runId,
            IntegrationId = runId is null ? null : "int-1",
            Data = data is null ? default : JsonDocument.Parse(data).RootElement.Clone(),
        };

        var encoded = CloudEventEnvelope.EncodeStructured(cloudEvent);

        var decoded = CloudEventEnvelope.DecodeStructured(encoded);
        Assert.Equal(cloudEvent, decoded with { Data = cloudEvent.Data });
        Assert.True(data is null or "null" ? decoded.Data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null : JsonElement.DeepEquals(cloudEvent.Data, decoded.Data)); // the SDK reads data: null as no data
    }

    [Fact]
    public void A_page_encoded_in_one_batch_gives_each_event_the_bytes_it_gets_alone_and_a_refused_event_is_left_for_the_sink_to_refuse()
    {
        var page = new[]
        {
            Event,
            Event with { Subject = null, Time = null, RunId = null, Data = default },
            Event with { Id = "x2", Data = JsonDocument.Parse("""["é <&>", {"nested": [1.50, null]}, "\u2028"]""").RootElement.Clone() },
        };
        var events = page.Select((e, i) => new OutboundEvent(i + 1, $"k{i}", e)).ToList();
        var withBadSource = events.Append(new OutboundEvent(9, "bad", Event with { Source = "http://[bad" })).ToList();

        OutboundEvent.EncodeAll(events);
        OutboundEvent.EncodeAll(withBadSource);

        Assert.All(events, e => Assert.Equal(CloudEventEnvelope.EncodeStructured(e.Event).ToArray(), e.Encoded.ToArray()));
        Assert.Equal(CloudEventEnvelope.EncodeStructured(page[2]).ToArray(), withBadSource[2].Encoded.ToArray()); // the others of a page with a refused event still encode
        Assert.Throws<ArgumentException>(() => withBadSource[3].Encoded);
        Assert.Equal(3, CloudEventEnvelope.EncodeStructuredEach(page)!.Count);
        Assert.Null(CloudEventEnvelope.EncodeStructuredEach(withBadSource.Select(e => e.Event).ToList()));
    }

    [Fact]
    public void Encoding_refuses_an_event_without_id_or_type_or_with_a_bad_source()
    {
        Assert.Throws<ArgumentException>(() => CloudEventEnvelope.EncodeStructured(Event with { Id = "" }));
        Assert.Throws<ArgumentException>(() => CloudEventEnvelope.EncodeStructured(Event with { Type = "" }));
        Assert.Throws<ArgumentException>(() => CloudEventEnvelope.EncodeStructured(Event with { Source = "http://[bad" }));
    }

    [Fact]
    public void Structured_mode_carries_every_attribute_and_the_data_inline()
    {
        using var json = JsonDocument.Parse(CloudEventEnvelope.EncodeStructured(Event));
        var root = json.RootElement;

        Assert.Equal(
            ["data", "datacontenttype", "id", "integrationid", "runid", "source", "specversion", "subject", "tenantid", "time", "type"],
            root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal(Event.Id, root.GetProperty("id").GetString());
        Assert.Equal(Event.Source, root.GetProperty("source").GetString());
        Assert.Equal(Event.Type, root.GetProperty("type").GetString());
        Assert.Equal("rec-7", root.GetProperty("subject").GetString());
        Assert.Equal(Event.Time, root.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        Assert.Equal("acme", root.GetProperty("tenantid").GetString());
        Assert.Equal("int-1", root.GetProperty("integrationid").GetString());
        Assert.Equal("run-1", root.GetProperty("runid").GetString());
        Assert.Equal(7, root.GetProperty("data").GetProperty("number").GetInt32());
    }

    [Fact]
    public void Absent_optional_attributes_are_left_out()
    {
        var bare = new CloudEvent { Id = "e1", Source = "/test", Type = "test", TenantId = "t1", Data = JsonSerializer.SerializeToElement(1) };

        using var json = JsonDocument.Parse(CloudEventEnvelope.EncodeStructured(bare));

        Assert.Equal(["data", "datacontenttype", "id", "source", "specversion", "tenantid", "type"], json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_cosmos_document_and_the_pulsar_payload_are_the_same_json_and_read_back_to_the_same_event()
    {
        var viaCosmos = JsonSerializer.Serialize(Event, HubCosmos.SerializerOptions);
        var payload = CloudEventEnvelope.EncodeStructured(Event);

        Assert.Equal(Encoding.UTF8.GetString(payload.Span), viaCosmos);
        var read = JsonSerializer.Deserialize<CloudEvent>(viaCosmos, HubCosmos.SerializerOptions)!;
        Assert.Equal(Event with { Data = default }, read with { Data = default });
        Assert.Equal(Event.Data.GetRawText(), read.Data.GetRawText());
        Assert.Equal(Event.Id, CloudEventEnvelope.DecodeStructured(payload).Id);
    }

    [Fact]
    public void Documents_written_before_the_sdk_still_read()
    {
        // The old serializer wrote "+00:00" offsets and, in API answers, null attributes.
        const string Old = """{"specversion":"1.0","id":"abc","source":"/s","type":"t","subject":null,"time":"2026-01-05T09:00:00+00:00","datacontenttype":"application/json","tenantid":"acme","integrationid":null,"runid":"r","data":{"a":1}}""";

        var read = JsonSerializer.Deserialize<CloudEvent>(Old, HubCosmos.SerializerOptions)!;

        Assert.Equal(("abc", "acme", (string?)null, "r"), (read.Id, read.TenantId, read.Subject, read.RunId));
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero), read.Time);
        Assert.Equal(1, read.Data.GetProperty("a").GetInt32());
    }

    [Fact]
    public void The_sdk_refuses_an_event_that_breaks_the_spec()
    {
        Assert.ThrowsAny<ArgumentException>(() => CloudEventEnvelope.EncodeStructured(Event with { Type = "" }));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<CloudEvent>("""{"specversion":"1.0","source":"/s","type":"t","tenantid":"x"}"""));
    }

    [Theory]
    [InlineData("rec-7", "rec-7")]
    [InlineData("a b/ü😀%07", "a b/ü😀%07")] // spaces, slashes, non-ASCII, pairs and percent signs are allowed as they are
    [InlineData("bad\u0007id", "bad%07id")]
    [InlineData("\n\u007f\u0085", "%0A%7F%C2%85")]
    public void A_record_id_becomes_a_subject_the_sdk_encodes(string recordId, string subject)
    {
        Assert.Equal(subject, CloudEventEnvelope.SubjectOf(recordId));
        Assert.NotEmpty(CloudEventEnvelope.EncodeStructured(Event with { Subject = CloudEventEnvelope.SubjectOf(recordId) }).ToArray());
    }

    [Fact]
    public void An_unpaired_surrogate_in_a_record_id_becomes_the_replacement_character_percent_encoded()
    {
        var recordId = "lone" + (char)0xD800 + "x"; // built here: theory data would arrive already replaced

        Assert.Equal("lone%EF%BF%BDx", CloudEventEnvelope.SubjectOf(recordId));
    }
}
