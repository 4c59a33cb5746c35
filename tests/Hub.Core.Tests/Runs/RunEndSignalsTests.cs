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
        var signal = signals.WhenEnded("run-1");

        signals.Forget("run-1", signal);
        signals.Ended("run-2"); // a run nobody waits for

        Assert.Equal(0, signals.Count);
    }

    [Fact]
    public void A_waiter_still_waiting_is_woken_at_the_end_after_another_waiter_of_the_run_gave_up()
    {
        var signals = new RunEndSignals();
        var brief = signals.WhenEnded("run-1"); // a client that asked ?waitSeconds=1
        var patient = signals.WhenEnded("run-1"); // one that asked ?waitSeconds=60

        signals.Forget("run-1", brief); // the first one's wait is over
        signals.Ended("run-1");

        Assert.True(patient.IsCompleted);
        Assert.Equal(0, signals.Count);
    }

    [Fact]
    public void A_waiter_that_leaves_after_the_end_does_not_take_a_later_waiter_s_entry_with_it()
    {
        var signals = new RunEndSignals();
        var early = signals.WhenEnded("run-1");
        signals.Ended("run-1");
        _ = signals.WhenEnded("run-1"); // another request registered after the end was recorded

        signals.Forget("run-1", early); // the first waiter leaves

        Assert.Equal(1, signals.Count); // the later waiter's entry stays until it leaves
    }
}
