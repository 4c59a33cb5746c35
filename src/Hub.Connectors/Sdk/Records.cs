using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Connectors;

/// <summary>Whether a record is new or changed, or was deleted at the source.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecordOperation>))]
public enum RecordOperation
{
    Upsert,
    Delete,
}

/// <summary>One record read from a source.</summary>
/// <param name="Id">The source's id, unique within the stream.</param>
/// <param name="Version">The source's version of the record (e.g. its update timestamp), so a consumer can drop stale writes.</param>
/// <param name="Operation">Upsert, or Delete where the API reports deletions.</param>
/// <param name="Timestamp">When the record last changed at the source, if known.</param>
/// <param name="Data">The record as the API returned it.</param>
public sealed record ConnectorRecord(string Id, string? Version, RecordOperation Operation, DateTimeOffset? Timestamp, JsonElement Data);

/// <summary>
/// A page of records and the cursor to resume <em>after</em> it. The run engine stores <see cref="Cursor"/>
/// only once the page's records are handed off, so a crash repeats nothing and loses nothing.
/// </summary>
public sealed record RecordPage(IReadOnlyList<ConnectorRecord> Records, JsonElement Cursor);

/// <summary>The result of <see cref="IConnector.CheckAsync"/>.</summary>
/// <param name="Succeeded">Whether the source accepted the configuration and credential.</param>
/// <param name="Message">What was checked, or why it failed (never a secret).</param>
public sealed record ConnectionCheck(bool Succeeded, string Message)
{
    public static ConnectionCheck Success(string message) => new(true, message);

    public static ConnectionCheck Failure(string message) => new(false, message);
}
