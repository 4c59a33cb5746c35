using System.Text.Json;
using System.Text.Json.Nodes;
using IntegrationHub.Core.Transforms;

namespace IntegrationHub.Core.Integrations;

/// <summary>A record of a preview: as the source answered it, and as the integration's mapping makes it (the record itself without a mapping).</summary>
public sealed record PreviewRecord(JsonElement Raw, JsonNode? Mapped);

/// <summary>
/// Reads the first page of an integration that is not saved yet — the definition a user is still
/// editing — and answers its first records raw and mapped. Nothing is stored and no cursor moves. The
/// read goes through the connector and its HTTP layer exactly as a run's does, so the SSRF guard, the
/// per-(connector, credential) pacing and the retry policy apply; connector failures surface as they do
/// in a run (<see cref="Connectors.ConnectorException"/> with the external system's reason).
/// </summary>
public sealed class IntegrationPreview(IntegrationService integrations, IntegrationConnections connections)
{
    /// <summary>The most records a preview answers.</summary>
    public const int MaxRecords = 10;

    /// <summary>Validates <paramref name="definition"/> as on create, then reads up to <paramref name="maxRecords"/> (1-10) records of the first page.</summary>
    /// <exception cref="Errors.ValidationFailedException">The definition is invalid, as create would say.</exception>
    public async Task<IReadOnlyList<PreviewRecord>> PreviewAsync(string tenantId, IntegrationDefinition definition, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        maxRecords = Math.Clamp(maxRecords, 1, MaxRecords);
        var draft = await integrations.DraftAsync(tenantId, definition, cancellationToken);
        RecordMapping? mapping = null;
        if (draft.Mapping is { } rules)
        {
            RecordMapping.TryCompile(rules, "mapping", out mapping, out _);
        }

        var (connector, context) = await connections.OpenAsync(draft, null, cancellationToken);
        var records = new List<PreviewRecord>(maxRecords);
        await foreach (var page in connector.ReadAsync(context, draft.Stream, null, cancellationToken))
        {
            foreach (var record in page.Records.Take(maxRecords))
            {
                records.Add(new PreviewRecord(record.Data, mapping is null ? JsonNode.Parse(record.Data.GetRawText()) : mapping.Apply(record.Data)));
            }

            break; // the first page is the preview: nothing further is requested
        }

        return records;
    }
}
