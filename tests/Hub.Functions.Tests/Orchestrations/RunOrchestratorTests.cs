using System.Collections.Concurrent;
using System.Diagnostics;
using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Orchestrations;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using IntegrationHub.TestDoubles;

namespace IntegrationHub.Functions.Tests.Orchestrations;

/// <summary>
/// The run orchestrator on the in-process Durable Task test host (no Functions host, no storage), over scripted
/// activities: order, ContinueAsNew, durable-timer waits, failures and the cancel event. One orchestration at a time
/// (the test host stalls with several in flight); tests of a class run one after another.
/// </summary>
public sealed class RunOrchestratorTests
{
    private const string RunId = "run-orchestrator-test";

    [Fact]
    public async Task Pages_are_synced_one_activity_each_and_the_orchestration_continues_as_new_every_generation()
    {
        var steps = new ScriptedSteps(Segment(), pagesPerGeneration: 2);
        steps.Pages.Enqueue(Advanced(), Advanced(), Advanced(), Advanced(), Advanced(), new StepResult(StepResultKind.Completed));

        var (instance, _) = await RunAsync(steps);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(RunStatus.Succeeded, instance.ReadOutputAs<RunStatus>());
        Assert.Equal(6, steps.Calls.Count(c => c == "SyncPage"));
        Assert.Equal(3, steps.Calls.Count(c => c == "Begin")); // 2 + 2 pages, then a third generation for the last page and the end (each generation's plan from BeginRun)
        Assert.Equal([new RunEnd("t1", RunId, RunStatus.Succeeded, null)], steps.Ends);
    }

    [Fact]
    public async Task A_transient_failure_waits_its_backoff_on_a_durable_timer_and_goes_on()
    {
        var steps = new ScriptedSteps(Segment());
        steps.Pages.Enqueue(new StepResult(StepResultKind.Retry, 2, "sink unavailable"), Advanced(), new StepResult(StepResultKind.Completed));

        var (instance, elapsed) = await RunAsync(steps);

        Assert.Equal(RunStatus.Succeeded, instance.ReadOutputAs<RunStatus>());
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), $"finished after {elapsed}, before the 2 s backoff");
        Assert.Equal(3, steps.Calls.Count(c => c == "SyncPage"));
    }

    [Fact]
    public async Task A_rate_limited_page_waits_until_the_time_it_names_on_a_durable_timer_then_reads_the_page_again()
    {
        var steps = new ScriptedSteps(Segment());
        steps.Pages.Enqueue(Advanced(), new StepResult(StepResultKind.Wait, 2, "github asked to wait: 429 Retry-After"), Advanced(), new StepResult(StepResultKind.Completed));

        var (instance, elapsed) = await RunAsync(steps);

        Assert.Equal(RunStatus.Succeeded, instance.ReadOutputAs<RunStatus>());
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), $"finished after {elapsed}, before the rate limit's 2 s were up");
        Assert.Equal(["Begin", "SyncPage:0:ends", "SyncPage:0:ends", "SyncPage:0:ends", "SyncPage:0:ends", "Finish"], steps.Trace); // the limited page is called again, nothing else runs meanwhile
        Assert.Equal([new RunEnd("t1", RunId, RunStatus.Succeeded, null)], steps.Ends);
    }

    [Fact]
    public async Task A_permanent_failure_fails_the_run_at_once_with_the_external_reason()
    {
        var steps = new ScriptedSteps(Segment());
        steps.Pages.Enqueue(new StepResult(StepResultKind.Failed, 0, "GitHub answered 401: Bad credentials"));

        var (instance, _) = await RunAsync(steps);

        Assert.Equal(RunStatus.Failed, instance.ReadOutputAs<RunStatus>());
        Assert.Single(steps.Calls, c => c == "SyncPage");
        Assert.Equal([new RunEnd("t1", RunId, RunStatus.Failed, "GitHub answered 401: Bad credentials")], steps.Ends);
    }

    [Fact]
    public async Task A_flow_runs_its_steps_in_order_and_a_job_step_polls_on_durable_timers()
    {
        var steps = new ScriptedSteps([new PlannedStep(0, 2, true), new PlannedStep(3, 3, false), new PlannedStep(4, 4, false)]);
        steps.Pages.Enqueue(new StepResult(StepResultKind.Completed));
        steps.Jobs.Enqueue(new StepResult(StepResultKind.Wait, 1, "Spark batch 7 is running"), new StepResult(StepResultKind.Completed), new StepResult(StepResultKind.Completed));

        var (instance, _) = await RunAsync(steps);

        Assert.Equal(RunStatus.Succeeded, instance.ReadOutputAs<RunStatus>());
        Assert.Equal(["Begin", "SyncPage:0", "RunStep:3", "RunStep:3", "RunStep:4:ends", "Finish"], steps.Trace);
    }

    [Fact]
    public async Task A_run_started_with_its_plan_has_no_begin_activity_and_its_last_unit_ends_it_without_a_finish_activity()
    {
        var plan = new RunPlan(false, [new PlannedStep(0, 2, true), new PlannedStep(3, 3, false)], DateTimeOffset.UtcNow.AddHours(1), 100);
        var steps = new ScriptedSteps(plan.Steps);
        steps.Pages.Enqueue(Advanced(), new StepResult(StepResultKind.Completed));
        steps.Jobs.Enqueue(new StepResult(StepResultKind.Wait, 1, "n8n execution 4 is running"), new StepResult(StepResultKind.Ended));

        var (instance, _) = await RunAsync(steps, input: new RunInput("t1", RunId, plan));

        Assert.Equal(RunStatus.Succeeded, instance.ReadOutputAs<RunStatus>());
        Assert.Equal(["SyncPage:0", "SyncPage:0", "RunStep:3:ends", "RunStep:3:ends"], steps.Trace); // only the last unit's calls may end the run
        Assert.Empty(steps.Ends);
    }

    [Fact]
    public async Task A_run_started_with_its_plan_that_had_ended_before_does_nothing_more()
    {
        var plan = new RunPlan(false, [new PlannedStep(0, 1, true)], DateTimeOffset.UtcNow.AddHours(1), 100);
        var steps = new ScriptedSteps(plan.Steps);
        steps.Pages.Enqueue(new StepResult(StepResultKind.Ended));

        var (instance, _) = await RunAsync(steps, input: new RunInput("t1", RunId, plan));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(["SyncPage:0:ends"], steps.Trace); // no Begin, no Cancel, no Finish
    }

    [Fact]
    public async Task A_run_started_with_its_plan_that_fails_is_still_finished_by_the_finish_activity()
    {
        var plan = new RunPlan(false, [new PlannedStep(0, 1, true)], DateTimeOffset.UtcNow.AddHours(1), 100);
        var steps = new ScriptedSteps(plan.Steps);
        steps.Pages.Enqueue(new StepResult(StepResultKind.Failed, 0, "GitHub answered 401: Bad credentials"));

        var (instance, _) = await RunAsync(steps, input: new RunInput("t1", RunId, plan));

        Assert.Equal(RunStatus.Failed, instance.ReadOutputAs<RunStatus>());
        Assert.Equal(["SyncPage:0:ends", "Finish"], steps.Trace);
        Assert.Equal([new RunEnd("t1", RunId, RunStatus.Failed, "GitHub answered 401: Bad credentials")], steps.Ends);
    }

    [Fact]
    public async Task The_cancel_event_stops_a_run_waiting_on_its_poll_timer_at_once_and_cancels_its_job()
    {
        // One poll that says "look again in an hour": the orchestration parks on a durable timer, and the scripted job never
        // reports the cancel itself (as a run whose document the poll read before the cancel request was written). Only
        // the event can end it before the timer; an orchestrator that loses the event waits out the hour and the wait
        // for completion below gives up.
        var steps = new ScriptedSteps([new PlannedStep(0, 0, false)]);
        steps.Jobs.Enqueue(new StepResult(StepResultKind.Wait, 3600, "Spark batch 7 is running"));

        var (instance, _) = await RunAsync(steps, async client =>
        {
            await Eventually.TrueAsync(() => steps.Calls.Contains("RunStep"), "the job's first poll");
            await client.RaiseEventAsync(RunId, RunOrchestrator.CancelEvent, "requested");
        });

        Assert.Equal(RunStatus.Cancelled, instance.ReadOutputAs<RunStatus>());
        Assert.Equal(["Begin", "RunStep:0:ends", "Cancel"], steps.Trace); // one poll, then the cancel: no second poll, no finish
        Assert.DoesNotContain("Finish", steps.Calls);
    }

    [Fact]
    public async Task A_poll_that_finds_the_cancel_request_recorded_ends_the_run_cancelled_without_the_event()
    {
        // The event never comes (raised before the instance existed, or lost): the run document's cancel request, which
        // the next poll reads (IRunSteps answers Cancelled), still stops the run and its job.
        var steps = new ScriptedSteps([new PlannedStep(0, 0, false)]);
        steps.Jobs.Enqueue(new StepResult(StepResultKind.Wait, 1, "Spark batch 7 is running"), new StepResult(StepResultKind.Cancelled));

        var (instance, _) = await RunAsync(steps);

        Assert.Equal(RunStatus.Cancelled, instance.ReadOutputAs<RunStatus>());
        Assert.Equal(["Begin", "RunStep:0:ends", "RunStep:0:ends", "Cancel"], steps.Trace);
    }

    private static PlannedStep[] Segment() => [new PlannedStep(0, 1, true)];

    private static StepResult Advanced() => new(StepResultKind.Advanced);

    private static async Task<(OrchestrationMetadata Instance, TimeSpan Elapsed)> RunAsync(ScriptedSteps steps, Func<DurableTaskClient, Task>? during = null, RunInput? input = null)
    {
        await using var host = await DurableTaskTestHost.StartAsync(
            registry => registry
                .AddOrchestrator<RunOrchestrator>()
                .AddActivity<BeginRunActivity>()
                .AddActivity<SyncPageActivity>()
                .AddActivity<RunStepActivity>()
                .AddActivity<CancelRunActivity>()
                .AddActivity<FinishRunActivity>(),
            new DurableTaskTestHostOptions { ConfigureServices = services => services.AddSingleton<IRunSteps>(steps) });
        var watch = Stopwatch.StartNew();
        await host.Client.ScheduleNewOrchestrationInstanceAsync(RunOrchestrator.Name, input ?? new RunInput("t1", RunId), new StartOrchestrationOptions(RunId));
        if (during is not null)
        {
            await during(host.Client);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var instance = await host.Client.WaitForInstanceCompletionAsync(RunId, getInputsAndOutputs: true, timeout.Token);
        return (instance, watch.Elapsed);
    }

    /// <summary>Activities that answer from a script and record what they were asked.</summary>
    private sealed class ScriptedSteps(IReadOnlyList<PlannedStep> plan, int pagesPerGeneration = 100) : IRunSteps
    {
        public ConcurrentQueue<string> CallLog { get; } = new();

        public IReadOnlyList<string> Calls => CallLog.Select(c => c.Split(':')[0]).ToList();

        public IReadOnlyList<string> Trace => CallLog.ToList();

        public Script Pages { get; } = new();

        public Script Jobs { get; } = new();

        public ConcurrentQueue<RunEnd> EndLog { get; } = new();

        public IReadOnlyList<RunEnd> Ends => EndLog.ToList();

        public Task<RunPlan> BeginAsync(RunRef run, CancellationToken cancellationToken)
        {
            CallLog.Enqueue("Begin");
            return Task.FromResult(new RunPlan(false, plan, DateTimeOffset.UtcNow.AddHours(1), pagesPerGeneration));
        }

        public RunPlan PlanOf(Run run) => throw new InvalidOperationException("the orchestration never builds a plan itself");

        public Task<StepResult> SyncPageAsync(StepCall call, CancellationToken cancellationToken)
        {
            CallLog.Enqueue($"SyncPage:{call.First}{(call.EndsRun ? ":ends" : "")}");
            return Task.FromResult(Pages.Next());
        }

        public Task<StepResult> RunStepAsync(StepCall call, CancellationToken cancellationToken)
        {
            CallLog.Enqueue($"RunStep:{call.First}{(call.EndsRun ? ":ends" : "")}");
            return Task.FromResult(Jobs.Next());
        }

        public Task CancelAsync(RunRef run, CancellationToken cancellationToken)
        {
            CallLog.Enqueue("Cancel");
            return Task.CompletedTask;
        }

        public Task FinishAsync(RunEnd end, CancellationToken cancellationToken)
        {
            CallLog.Enqueue("Finish");
            EndLog.Enqueue(end);
            return Task.CompletedTask;
        }
    }

    private sealed class Script
    {
        private readonly ConcurrentQueue<StepResult> _results = new();

        public void Enqueue(params StepResult[] results)
        {
            foreach (var result in results)
            {
                _results.Enqueue(result);
            }
        }

        public StepResult Next() => _results.TryDequeue(out var result) ? result : throw new InvalidOperationException("the script ran out");
    }
}
