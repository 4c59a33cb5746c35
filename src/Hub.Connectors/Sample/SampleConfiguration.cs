using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Connectors.Sample;

/// <summary>The Sample source's settings: how many records, in what pages, from which seed.</summary>
[Description("Deterministic synthetic records for demos and benchmarks.")]
public sealed record SampleConfiguration
{
    [Description("Records in the stream.")]
    [DefaultValue(1000L)]
    [Range(0L, 1_000_000_000L)]
    public long Count { get; init; } = 1000;

    [Description("Records per page.")]
    [DefaultValue(500)]
    [Range(1, 10_000)]
    public int PageSize { get; init; } = 500;

    [Description("Seed of the synthetic values; the same seed always gives the same records.")]
    [DefaultValue(42)]
    public int Seed { get; init; } = 42;

    [Description("Timestamp of record 1; each next record is one second later.")]
    public DateTimeOffset StartAt { get; init; } = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
