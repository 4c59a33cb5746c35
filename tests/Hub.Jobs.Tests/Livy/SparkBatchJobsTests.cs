using System.Net;
using System.Text;
using IntegrationHub.Jobs.Livy;
using IntegrationHub.Shared.Diagnostics;
using IntegrationHub.TestDoubles.Livy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Jobs.Tests.Livy;

/// <summary>The Spark engine through the real DI registration and Livy client, against the Livy double over real sockets.</summary>
public sealed class SparkBatchJobsTests : IAsyncLifetime
{
    private static readonly SparkJobDefinition Definition = new()
    {
        Name = "nightly-aggregation",
        File = "abfss://jobs@lake.dfs.core.windows.net/aggregate.jar",
        ClassName = "com.contoso.Aggregate",
        Args = ["--date", "2026-01-05"],
        Conf = new Dictionary<string, string> { ["spark.sql.shuffle.partitions"] = "64" },
        DriverMemory = "2g",
        ExecutorMemory = "4g",
        NumExecutors = 3,
        Queue = "batch",
        ProxyUser = "tenant-a",
    };

    private readonly LivyDouble _livy = new();

    public Task InitializeAsync() => _livy.StartAsync();

    public async Task DisposeAsync() => await _livy.DisposeAsync();

    [Fact]
    public async Task A_batch_is_submitted_as_Livy_documents_it_and_polled_until_success()
    {
        await using var services = Services();
        var jobs = services.GetRequiredService<SparkBatchJobs>();

        var start = await jobs.StartAsync(Definition, SparkBatchName.For("run-1", "aggregate"));

        var pending = Assert.IsType<JobStatus.Pending>(start.Status);
        Assert.Equal("starting", pending.State);
        Assert.Equal(TimeSpan.FromSeconds(7), pending.NextCheckAfter);
        Assert.NotNull(start.Reference);
        Assert.Equal("livy", start.Reference.Engine);
        var body = Assert.Single(_livy.SubmittedBodies);
        Assert.Equal("ih.run-1.aggregate", (string?)body["name"]);
        Assert.Equal(Definition.File, (string?)body["file"]);
        Assert.Equal("com.contoso.Aggregate", (string?)body["className"]);
        Assert.Equal("--date", (string?)body["args"]![0]);
        Assert.Equal("64", (string?)body["conf"]!["spark.sql.shuffle.partitions"]);
        Assert.Equal(3, (int?)body["numExecutors"]);
        Assert.Equal("tenant-a", (string?)body["proxyUser"]);
        Assert.False(body.ContainsKey("pyFiles"), "empty lists are left out of the request");

        var batchId = long.Parse(start.Reference.Id, System.Globalization.CultureInfo.InvariantCulture);
        _livy.SetState(batchId, "running");
        Assert.Equal("running", Assert.IsType<JobStatus.Pending>(await jobs.PollAsync(start.Reference, default)).State);

        _livy.SetState(batchId, "success");
        var done = Assert.IsType<JobStatus.Succeeded>(await jobs.PollAsync(start.Reference, default));
        Assert.Equal(batchId, done.Output.GetProperty("batchId").GetInt64());
        Assert.Equal("success", done.Output.GetProperty("state").GetString());
        Assert.Contains(_livy.Requests, r => r.Method == "GET" && r.PathAndQuery == $"/batches/{batchId}/state");
    }

    [Theory]
    [InlineData("dead")]
    [InlineData("killed")]
    [InlineData("error")]
    public async Task A_batch_ending_badly_fails_with_the_tail_of_its_log(string finalState)
    {
        await using var services = Services();
        var jobs = services.GetRequiredService<SparkBatchJobs>();
        var start = await jobs.StartAsync(Definition, SparkBatchName.For("run-2", "aggregate"));
        var batchId = long.Parse(start.Reference!.Id, System.Globalization.CultureInfo.InvariantCulture);
        _livy.AppendLog(batchId, "INFO SparkContext: Running Spark version 3.5.1", "WARN TaskSetManager: Lost task 0.0", "ERROR ApplicationMaster: User class threw exception: java.lang.OutOfMemoryError", "INFO ShutdownHookManager: Shutdown hook called");
        _livy.SetState(batchId, finalState);

        var failed = Assert.IsType<JobStatus.Failed>(await jobs.PollAsync(start.Reference, default));

        Assert.Contains(finalState, failed.Message, StringComparison.Ordinal);
        Assert.Equal(
            ["WARN TaskSetManager: Lost task 0.0", "ERROR ApplicationMaster: User class threw exception: java.lang.OutOfMemoryError", "INFO ShutdownHookManager: Shutdown hook called"],
            failed.LogTail);
    }

    [Fact]
    public async Task Cancelling_deletes_the_batch_in_Livy()
    {
        await using var services = Services();
        var jobs = services.GetRequiredService<SparkBatchJobs>();
        var start = await jobs.StartAsync(Definition, SparkBatchName.For("run-3", "aggregate"));
        var batchId = long.Parse(start.Reference!.Id, System.Globalization.CultureInfo.InvariantCulture);
        _livy.SetState(batchId, "running");

        await jobs.CancelAsync(start.Reference, default);

        Assert.Null(_livy.StateOf(batchId));
        var delete = Assert.Single(_livy.Requests, r => r.Method == "DELETE");
        Assert.Equal($"/batches/{batchId}", delete.PathAndQuery);
        Assert.Equal("integrationhub", delete.Headers["X-Requested-By"]);
        var after = Assert.IsType<JobStatus.Failed>(await jobs.PollAsync(start.Reference, default));
        Assert.Contains("no longer knows", after.Message, StringComparison.Ordinal);
        await jobs.CancelAsync(start.Reference, default); // already gone: not an error
    }

    [Fact]
    public async Task A_crash_between_submit_and_checkpoint_does_not_submit_twice()
    {
        // Other tenants' batches fill several pages (page size 2), so the lookup must page to find ours.
        foreach (var other in new[] { "other-a", "other-b", "other-c" })
        {
            _livy.AddBatch(other);
        }

        var name = SparkBatchName.For("run-4", "aggregate");
        string firstId;
        await using (var beforeCrash = Services())
        {
            var start = await beforeCrash.GetRequiredService<SparkBatchJobs>().StartAsync(Definition, name);
            firstId = start.Reference!.Id;

            // The process dies here: the run engine never checkpointed firstId.
        }

        _livy.AddBatch("other-d");
        await using var afterRestart = Services();
        var again = await afterRestart.GetRequiredService<SparkBatchJobs>().StartAsync(Definition, name);

        Assert.Equal(firstId, again.Reference!.Id);
        Assert.Equal(1, _livy.Submissions);
        Assert.Contains(_livy.Requests, r => r.PathAndQuery == "/batches?from=4&size=2");
    }

    [Fact]
    public async Task A_competing_submission_of_the_same_name_is_taken_over_not_duplicated()
    {
        await using var services = Services();
        var name = SparkBatchName.For("run-5", "aggregate");
        long? competitor = null;
        _livy.OnSubmission = submitted => competitor ??= _livy.AddBatch(submitted, "running");

        var start = await services.GetRequiredService<SparkBatchJobs>().StartAsync(Definition, name);

        Assert.Equal(competitor.ToString(), start.Reference!.Id);
        Assert.Equal("running", Assert.IsType<JobStatus.Pending>(start.Status).State);
        Assert.Empty(_livy.SubmittedBodies);
    }

    [Fact]
    public async Task Submissions_reuse_and_polls_are_counted_on_the_jobs_meter()
    {
        await using var services = Services();
        var factory = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var counts = new Dictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "IntegrationHub.Jobs" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + ":" + string.Join(",", tags.ToArray().Where(t => t.Key != "engine").Select(t => t.Value));
            lock (counts)
            {
                counts[key] = counts.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();
        var jobs = services.GetRequiredService<SparkBatchJobs>();

        var first = await jobs.StartAsync(Definition, "metered");
        await jobs.StartAsync(Definition, "metered");
        _livy.SetState(long.Parse(first.Reference!.Id, System.Globalization.CultureInfo.InvariantCulture), "success");
        await jobs.PollAsync(first.Reference, default);

        Assert.Equal(1, counts.GetValueOrDefault("hub.jobs.submissions:submitted"));
        Assert.Equal(1, counts.GetValueOrDefault("hub.jobs.submissions:reused"));
        Assert.Equal(1, counts.GetValueOrDefault("hub.jobs.polls:succeeded"));
        Assert.Equal(1, counts.GetValueOrDefault("hub.jobs.outcomes:succeeded"));
    }

    [Fact]
    public async Task Livy_errors_carry_Livys_message_and_status_but_no_credentials()
    {
        await using var services = Services(new()
        {
            ["Livy:Auth"] = "Basic",
            ["Livy:UserName"] = "hub",
            ["Livy:Password"] = "s3cret-pa55",
        });
        var livy = services.GetRequiredService<LivyClient>();

        var error = await Assert.ThrowsAsync<LivyException>(() => livy.GetStateAsync(4242));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("Session '4242' not found.", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Livy answered 404", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.ToString(), StringComparison.Ordinal);
        var sent = Assert.Single(_livy.Requests).Headers["Authorization"];
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("hub:s3cret-pa55")), sent);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task The_CSRF_header_is_what_gets_POST_through_a_protected_Livy()
    {
        await using var services = Services(new() { ["Livy:RequestedBy"] = "hub-test" });
        var submission = await services.GetRequiredService<LivyClient>().SubmitAsync(Definition, "csrf-check");

        Assert.False(submission.Reused);
        Assert.Equal("hub-test", Assert.Single(_livy.Requests, r => r.Method == "POST").Headers["X-Requested-By"]);

        // Without it the same Livy refuses, and the client reports the Jetty page's reason.
        using var bare = new HttpClient { BaseAddress = _livy.BaseAddress };
        using var refused = await bare.PostAsync(new Uri("batches", UriKind.Relative), new StringContent("{\"file\":\"x\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("Missing Required Header for CSRF protection.", EngineErrors.FromBody(await refused.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task An_invalid_definition_is_refused_before_anything_is_sent()
    {
        await using var services = Services();
        var invalid = Definition with { DriverMemory = "lots", ExecutorCores = 0 };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => services.GetRequiredService<SparkBatchJobs>().StartAsync(invalid, "invalid"));

        Assert.Contains("DriverMemory", error.Message, StringComparison.Ordinal);
        Assert.Contains("ExecutorCores", error.Message, StringComparison.Ordinal);
        Assert.Empty(_livy.Requests);
    }

    [Fact]
    public async Task The_probe_reports_reachable_and_not_configured()
    {
        await using var configured = Services();
        var probe = Assert.Single(configured.GetServices<IDependencyProbe>(), p => p.Name == "livy");
        Assert.Equal(DependencyStatus.Reachable, (await probe.ProbeAsync(default)).Status);

        await using var unconfigured = Services(new() { ["Livy:BaseUrl"] = string.Empty });
        var none = Assert.Single(unconfigured.GetServices<IDependencyProbe>(), p => p.Name == "livy");
        Assert.Equal(DependencyStatus.NotConfigured, (await none.ProbeAsync(default)).Status);
    }

    [Fact]
    public async Task A_checkpointed_reference_finds_its_engine_again()
    {
        await using var services = Services();

        Assert.IsType<SparkBatchJobs>(services.GetJobEngine(new JobReference("livy", "1").Engine));
        Assert.IsType<IntegrationHub.Jobs.N8n.N8nWorkflowJobs>(services.GetJobEngine("n8n"));
        Assert.Throws<InvalidOperationException>(() => services.GetJobEngine("airflow"));
        await Assert.ThrowsAsync<ArgumentException>(() => services.GetRequiredService<SparkBatchJobs>().PollAsync(new JobReference("n8n", "12"), default));
    }

    [Fact]
    public void Batch_names_are_distinct_per_run_and_step_and_never_look_like_ids()
    {
        Assert.Equal("ih.run-1.step-2", SparkBatchName.For("run-1", "step-2"));
        Assert.NotEqual(SparkBatchName.For("a.b", "c"), SparkBatchName.For("a", "b.c"));
        Assert.NotEqual(SparkBatchName.For("a/b", "c"), SparkBatchName.For("a_b", "c"));
        var longName = SparkBatchName.For(new string('r', 200), "s");
        Assert.True(longName.Length <= 100);
        Assert.NotEqual(longName, SparkBatchName.For(new string('r', 201), "s"));
        Assert.False(SparkBatchName.For("1", "2").All(char.IsAsciiDigit));
    }

    private ServiceProvider Services(Dictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Livy:BaseUrl"] = _livy.BaseAddress.ToString(),
            ["Livy:PollInterval"] = "00:00:07",
            ["Livy:LogTailLines"] = "3",
            ["Livy:ListPageSize"] = "2",
        };
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddHubJobs().BuildServiceProvider(validateScopes: true);
    }
}
