using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationHub.Core.Runs;
using IntegrationHub.Jobs.Livy;
using IntegrationHub.TestDoubles;

namespace IntegrationHub.Functions.Tests.Steps;

/// <summary>The <c>spark</c> flow step through the real run engine, Livy client and Livy double.</summary>
[Collection(StepsGroup.Name)]
public sealed class SparkStepTests(StepsFixture steps)
{
    private static object Flow(string file = "local:///opt/jobs/aggregate.py", string driverMemory = "1g") => new
    {
        name = "aggregate",
        description = "a Spark batch with arguments from the previous step",
        steps = new object[]
        {
            new { name = "params", type = "transform", mapping = new { args = new { @const = new[] { "--day", "2026-01-05" } } } },
            new
            {
                name = "aggregate",
                type = "spark",
                settings = new { name = "daily-aggregate", file, args = new[] { "--mode", "full" }, conf = new Dictionary<string, string> { ["spark.sql.shuffle.partitions"] = "8" }, driverMemory },
            },
        },
    };

    [Fact]
    public async Task A_spark_step_submits_once_waits_without_an_instance_and_completes_when_the_batch_succeeds()
    {
        var (tenant, client) = await steps.TenantAsync();
        var run = await steps.StartAsync(tenant, await StepsFixture.CreateFlowAsync(client, Flow()));

        run = await steps.SettledAsync(run);

        Assert.Equal(RunStatus.Waiting, run.Status);
        Assert.Equal(StepStatus.Waiting, run.Steps[1].Status);
        var batchId = BatchIdOf(run);
        var body = Assert.Single(steps.Livy.SubmittedBodies, b => (string?)b["name"] == SparkBatchName.For(run.Id, "aggregate"));
        Assert.Equal(["--mode", "full", "--day", "2026-01-05"], body["args"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("8", (string?)body["conf"]!["spark.sql.shuffle.partitions"]);

        // Still starting: the next polls look at the checkpointed batch and submit nothing new.
        await steps.PollsAsync(2);
        run = (await steps.Runs.GetAsync(tenant, run.Id, default))!;
        Assert.False(run.IsTerminal, $"the run ended while its batch was still starting: {run.Status} {run.Error}"); // between polls it waits; during one it may show running
        Assert.Equal(batchId, BatchIdOf(run));

        steps.Livy.SetState(batchId, "success");
        run = await steps.ResumeUntilAsync(run, RunStatus.Succeeded);

        Assert.Equal(batchId, run.Steps[1].Output!.Value.GetProperty("batchId").GetInt64());
        Assert.Equal("success", run.Steps[1].Output!.Value.GetProperty("state").GetString());
        Assert.Single(steps.Livy.SubmittedBodies, b => (string?)b["name"] == SparkBatchName.For(run.Id, "aggregate"));
    }

    [Fact]
    public async Task A_dead_batch_fails_the_run_with_the_tail_of_its_log()
    {
        var (tenant, client) = await steps.TenantAsync();
        var run = await steps.SettledAsync(await steps.StartAsync(tenant, await StepsFixture.CreateFlowAsync(client, Flow())));
        var batchId = BatchIdOf(run);

        steps.Livy.AppendLog(batchId, "INFO SparkContext: Running Spark version 3.5.1", "ERROR ApplicationMaster: User class threw exception: java.lang.OutOfMemoryError: Java heap space");
        steps.Livy.SetState(batchId, "dead");
        run = await steps.ResumeUntilAsync(run, RunStatus.Failed);

        Assert.Contains($"Spark batch {batchId} ended 'dead'", run.Error, StringComparison.Ordinal);
        Assert.Contains("java.lang.OutOfMemoryError: Java heap space", run.Error, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Failed, run.Steps[1].Status);
    }

    [Fact]
    public async Task Cancelling_a_run_that_waits_for_its_batch_deletes_the_batch()
    {
        var (tenant, client) = await steps.TenantAsync();
        var run = await steps.SettledAsync(await steps.StartAsync(tenant, await StepsFixture.CreateFlowAsync(client, Flow())));
        var batchId = BatchIdOf(run);
        steps.Livy.SetState(batchId, "running");

        using var cancel = await client.PostAsync(new Uri($"api/v1/runs/{run.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        try
        {
            await Eventually.TrueAsync(async () => (await steps.Runs.GetAsync(tenant, run.Id, default))!.IsTerminal, "the run to end", TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException e)
        {
            // Say where the run and its orchestration stood. (It timed out in CI when the cancel event reached an orchestration
            // waiting on its poll timer and the orchestrator lost its StopRun call: see RunOrchestrator.DelayAsync.)
            var stuck = await steps.Runs.GetAsync(tenant, run.Id, default);
            throw new TimeoutException($"{e.Message}: run {stuck!.Status}, cancel requested {stuck.CancelRequested}, steps {string.Join(", ", stuck.Steps.Select(s => s.Status))}; host log:\n{steps.Hub.Tail(80)}", e);
        }

        Assert.Equal(RunStatus.Cancelled, (await steps.Runs.GetAsync(tenant, run.Id, default))!.Status);
        Assert.Contains(steps.Livy.Requests, r => r.Method == "DELETE" && r.PathAndQuery == $"/batches/{batchId}");
        Assert.Null(steps.Livy.StateOf(batchId));
    }

    [Fact]
    public async Task A_worker_killed_between_submitting_and_checkpointing_never_submits_the_batch_twice()
    {
        var (tenant, client) = await steps.TenantAsync();
        var flowId = await StepsFixture.CreateFlowAsync(client, Flow());
        var submissionsBefore = steps.Livy.Submissions;
        var killed = new List<int>();

        // The worker dies (SIGKILL) right after Livy accepted the batch, before it could read the answer or checkpoint.
        steps.Livy.OnAccepted = _ =>
        {
            steps.Livy.OnAccepted = null;
            killed.AddRange(steps.Hub.KillWorker());
        };
        var run = await steps.StartAsync(tenant, flowId);
        await Eventually.TrueAsync(() => killed.Count > 0, "the worker to be killed");

        // Livy has the batch; the run knows nothing of it.
        var name = SparkBatchName.For(run.Id, "aggregate");
        var batchId = steps.Livy.IdOf(name);
        Assert.NotNull(batchId);
        var orphaned = (await steps.Runs.GetAsync(tenant, run.Id, default))!;
        Assert.Null(orphaned.Steps[1].Checkpoint);

        // The host starts a new worker; Durable runs the activity again, which finds the batch by its name.
        run = await steps.SettledAsync(run);

        Assert.Equal(RunStatus.Waiting, run.Status);
        Assert.Equal(batchId, BatchIdOf(run));
        Assert.Equal(1, steps.Livy.Submissions - submissionsBefore);
        Assert.Single(steps.Livy.SubmittedBodies, b => (string?)b["name"] == name);
        Assert.DoesNotContain(killed, pid => steps.Hub.WorkerPids().Contains(pid));

        steps.Livy.SetState(batchId.Value, "success");
        await steps.ResumeUntilAsync(run, RunStatus.Succeeded);
        Assert.Equal(1, steps.Livy.Submissions - submissionsBefore);
    }

    [Fact]
    public async Task Invalid_spark_settings_are_refused_when_the_flow_is_saved_naming_the_field()
    {
        var (_, client) = await steps.TenantAsync();

        using var response = await client.PostAsJsonAsync("api/v1/flows", Flow(driverMemory: "lots"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("Spark's notation", errors.GetProperty("steps[1].settings.driverMemory")[0].GetString(), StringComparison.Ordinal);
    }

    private static long BatchIdOf(Run run)
    {
        var checkpoint = run.Steps[1].Checkpoint ?? throw new Xunit.Sdk.XunitException($"no checkpoint; run {run.Status}: {run.Error}");
        Assert.Equal("livy", checkpoint.GetProperty("engine").GetString());
        return long.Parse(checkpoint.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);
    }
}
