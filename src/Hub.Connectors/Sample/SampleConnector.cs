using System.Runtime.CompilerServices;
using System.Text.Json;

namespace IntegrationHub.Connectors.Sample;

/// <summary>
/// Deterministic synthetic records: record <c>n</c> always has the same content for a seed, so demos are
/// repeatable and benchmarks measure the pipeline, not a network. Records are generated page by page;
/// nothing is held beyond the current page.
/// </summary>
public sealed class SampleConnector(ConnectorServices services) : Connector<SampleConfiguration, NoCredential>(services)
{
    public const string ConnectorId = "sample";

    private static readonly string[] Categories = ["alpha", "beta", "gamma", "delta", "epsilon"];

    protected override ConnectorDescriptor Describe() => new()
    {
        Id = ConnectorId,
        DisplayName = "Sample",
        Category = "demo",
        Description = "Deterministic synthetic records for demos and benchmarks; no account needed.",
        Capabilities = new ConnectorCapabilities(PollStreams: true, Actions: false, Webhooks: false),
        Streams = [new StreamDescriptor("events", "Synthetic events numbered 1..count.", "Cursor {\"position\": n}: the last record handed off. Records are never updated or deleted.")],
        RateLimit = RateLimitDefaults.None,
    };

    protected override Task<ConnectionCheck> CheckAsync(ConnectorSession<SampleConfiguration, NoCredential> session, CancellationToken cancellationToken) =>
        Task.FromResult(ConnectionCheck.Success($"Sample source ready: {session.Configuration.Count} records."));

    protected override async IAsyncEnumerable<RecordPage> ReadAsync(
        ConnectorSession<SampleConfiguration, NoCredential> session,
        string stream,
        JsonElement? cursor,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var configuration = session.Configuration;
        var position = cursor is { } c && c.TryGetProperty("position", out var p) && p.TryGetInt64(out var n) ? n : 0;
        while (position < configuration.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var size = (int)Math.Min(configuration.PageSize, configuration.Count - position);
            var records = new ConnectorRecord[size];
            for (var i = 0; i < size; i++)
            {
                records[i] = Create(configuration, position + i + 1);
            }

            position += size;
            yield return new RecordPage(records, JsonSerializer.SerializeToElement(new { position }));

            // Let a consumer on the same thread run between pages, as a network source would.
            await Task.Yield();
        }
    }

    /// <summary>Record <paramref name="sequence"/> (1-based) for <paramref name="configuration"/>'s seed.</summary>
    public static ConnectorRecord Create(SampleConfiguration configuration, long sequence)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var random = Mix((ulong)sequence ^ ((ulong)(uint)configuration.Seed << 32));
        var timestamp = configuration.StartAt.AddSeconds(sequence);
        var data = new SampleEvent(
            sequence,
            $"event-{sequence}",
            Categories[(int)(random % (ulong)Categories.Length)],
            Math.Round((random >> 8) % 1_000_000 / 100.0, 2),
            timestamp);
        var id = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ConnectorRecord(id, id, RecordOperation.Upsert, timestamp, JsonSerializer.SerializeToElement(data, SampleJson.Default.SampleEvent));
    }

    /// <summary>SplitMix64: a stable hash, so values never change with the runtime's <see cref="Random"/>.</summary>
    private static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }
}

/// <summary>The shape of a Sample record.</summary>
public sealed record SampleEvent(long Sequence, string Name, string Category, double Amount, DateTimeOffset OccurredAt);
