namespace IntegrationHub.Secrets.Tests.Support;

/// <summary>
/// A clock tests move by hand. Microsoft.Extensions.TimeProvider.Testing does not restore from this
/// machine's NuGet source, so this is the subset the secrets tests need, with the same member names.
/// Only the clock is fake; timers are the system's (the secrets code reads the time, it sets no timers).
/// </summary>
public sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_gate)
        {
            _now += delta;
        }
    }
}
