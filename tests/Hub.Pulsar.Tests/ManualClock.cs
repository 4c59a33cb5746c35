namespace IntegrationHub.Pulsar.Tests;

/// <summary>
/// A clock that only moves when told (Microsoft.Extensions.TimeProvider.Testing does not restore on this machine).
/// Elapsed time and "now" are manual; timers still run on real time, so socket waits keep working.
/// </summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks = TimeSpan.TicksPerDay;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(GetTimestamp());

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
