using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Connectors.Sample;

/// <summary>Source-generated serialization of Sample records: no reflection on the million-record path.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SampleEvent))]
internal sealed partial class SampleJson : JsonSerializerContext;
