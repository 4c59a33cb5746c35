using IntegrationHub.Core.Runs;

namespace IntegrationHub.Core.Tests.Runs;

/// <summary>The in-process wake-up of requests waiting for a run's end.</summary>
public sealed class RunEndSignalsTests
{
    [Fact]
    public void Every_waiter_of_a_run_is_woken_when_it_ends_and_no_other_run_s_waiter_is()
    {
        var signals = new RunEndSignals();
        var first = signals.WhenEnded("run-1");
        var second = signals.WhenEnded("run-1");
        var other = signals.WhenEnded("run-2");

        signals.Ended("run-1");

        Assert.True(first.IsCompleted);
        Assert.True(second.IsCompleted);
        Assert.False(other.IsCompleted);
        Assert.Equal(1, signals.Count);
    }

    [Fact]
    public void A_waiter_that_gives_up_leaves_nothing_behind()
    {
        var signals = new RunEndSignals();
        _ = signals.WhenEnded("run-1");

        signals.Forget("run-1");
        signals.Ended("run-2"); // a run nobody waits for

        Assert.Equal(0, signals.Count);
    }
}
