using IntegrationHub.Core.Runs;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Middleware;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Mvc;
using IntegrationHub.Functions.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Http.Runs;

/// <summary>
/// Runs: started on an integration (<c>POST /api/v1/integrations/{id}/run</c>) or a flow
/// (<c>POST /api/v1/flows/{id}/run</c>) with 202 + <c>Location</c> (the asynchronous request-reply
/// pattern), polled at <c>GET /api/v1/runs/{id}</c> (with <c>Retry-After</c> while running), listed per
/// integration, and cancelled. Each run is a Durable Functions orchestration with instance id = run id
/// (<see cref="RunOrchestrator"/>); the run document is its read model.
/// </summary>
[Requires(Access.Tenant)]
[Tags("Runs")]
public sealed class RunsFunctions(RunService runs, IRunSteps steps, RunEndSignals endSignals, IOptions<RunsOptions> options, TimeProvider time)
{
    /// <summary>
    /// <c>GET /api/v1/runs/{id}</c>: status, per-step state and progress. With <c>?waitSeconds=N</c> (0 to
    /// <see cref="MaxWait"/>) the answer waits until the run has ended or N seconds have passed, whichever is first, so
    /// a client learns of the end without polling (400 for any other value).
    /// </summary>
    [Function("GetRun")]
    [EndpointSummary("A run's status, per-step state and progress; ?waitSeconds=N answers when the run ends or after N seconds")]
    [QueryParameter("waitSeconds", typeof(int), "Wait until the run has ended, at most this many seconds (0 to 60; default 0: answer at once). The answer is the run as it then is; Retry-After is set while it is still going.")]
    [ProducesResponseType<RunView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/runs/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        var (wait, problem) = WaitOf(request);
        if (problem is not null)
        {
            return problem;
        }

        var stored = await runs.GetAsync(request.TenantId(), id, cancellationToken);
        stored = await WaitForEndAsync(request, stored, wait, cancellationToken);
        if (stored.Status == RunStatus.Pending && time.GetUtcNow() - stored.CreatedAt > PendingRepairAfter)
        {
            // Its starter died between creating the document and starting the orchestration: start it now.
            await RunOrchestrations.EnsureStartedAsync(client, steps, stored, cancellationToken);
        }

        var run = await RunOrchestrations.ReadModelAsync(client, stored, options.Value, time.GetUtcNow(), cancellationToken);
        if (run.Status == RunStatus.Failed && !stored.IsTerminal)
        {
            // The orchestration failed or was terminated: record it, which also frees the integration.
            await steps.FinishAsync(new RunEnd(run.TenantId, run.Id, RunStatus.Failed, run.Error), cancellationToken);
        }

        if (!run.IsTerminal)
        {
            request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
        }

        return TypedResults.Ok(RunView.Of(run));
    }

    // The asynchronous pattern's hint of when to look again at a run still going (seconds).
    private const string RetryAfterSeconds = "2";

    /// <summary>The longest <c>?waitSeconds</c> of <c>GET /api/v1/runs/{id}</c> and of a run's start: well inside the 230 s an Azure front end keeps an idle HTTP request.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    /// <summary>The request's <c>?waitSeconds</c>: absent is 0 (answer at once); anything but a whole number from 0 to <see cref="MaxWait"/> is a 400 problem naming it.</summary>
    private static (TimeSpan Wait, IResult? Problem) WaitOf(HttpRequest request)
    {
        var text = request.Query["waitSeconds"].ToString();
        if (text.Length == 0)
        {
            return (TimeSpan.Zero, null);
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds <= MaxWait.TotalSeconds
            ? (TimeSpan.FromSeconds(seconds), null)
            : (TimeSpan.Zero, ApiProblems.Validation("waitSeconds", $"must be a whole number of seconds from 0 to {MaxWait.TotalSeconds:0}."));
    }

    // A started run's answer: 202 with Location while it goes on (after waiting up to `wait` for its end); 200 with the
    // ended run, and Content-Location naming it, when it ended within the wait (one request where a client would
    // otherwise start, then wait at the Location).
    private async Task<IResult> StartedAsync(HttpRequest request, Run run, TimeSpan wait, CancellationToken cancellationToken)
    {
        run = await WaitForEndAsync(request, run, wait, cancellationToken);
        if (run.IsTerminal)
        {
            request.HttpContext.Response.Headers.ContentLocation = RunView.LocationOf(run.Id);
            return TypedResults.Ok(RunView.Of(run));
        }

        request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
        return TypedResults.Accepted(RunView.LocationOf(run.Id), RunView.Of(run));
    }

    /// <summary>
    /// How often a waiting <c>GET /api/v1/runs/{id}</c> reads the run document again: every 100 ms for its first 10 s,
    /// then every second; at once when this process recorded the run's end (<see cref="RunEndSignals"/>).
    /// </summary>
    public static TimeSpan WaitInterval(TimeSpan waited) => waited < TimeSpan.FromSeconds(10) ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1);

    // The run once it has ended, or as it is after `wait`: one point read per interval, or at once when this process
    // recorded the end (RunEndSignals); the invocation's cancellation or the caller's disconnect (RequestAborted: which of
    // them the host passes on to the worker varies by version) stops it.
    private async Task<Run> WaitForEndAsync(HttpRequest request, Run run, TimeSpan wait, CancellationToken invocationCancelled)
    {
        if (run.IsTerminal || wait <= TimeSpan.Zero)
        {
            return run;
        }

        using var callerGone = CancellationTokenSource.CreateLinkedTokenSource(invocationCancelled, request.HttpContext.RequestAborted);
        var cancellationToken = callerGone.Token;
        var ended = endSignals.WhenEnded(run.Id);
        try
        {
            var start = time.GetTimestamp();
            while (!run.IsTerminal && time.GetElapsedTime(start) is var waited && waited < wait)
            {
                var pause = WaitInterval(waited);
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(pause < wait - waited ? pause : wait - waited, time, stop.Token);
                await Task.WhenAny(ended, delay);
                await stop.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
                run = await runs.GetAsync(run.TenantId, run.Id, cancellationToken);
            }

            return run;
        }
        finally
        {
            endSignals.Forget(run.Id, ended);
        }
    }

    /// <summary>How long a run may stay pending before a read starts its orchestration (its starter died after creating it).</summary>
    public static readonly TimeSpan PendingRepairAfter = TimeSpan.FromSeconds(30);

    /// <summary><c>POST /api/v1/runs/{id}/cancel</c>: 202; the orchestration's <c>cancel</c> event stops the run (and its external job) at once. 409 when it has already ended.</summary>
    [Function("CancelRun")]
    [EndpointSummary("Ask a run to stop; it stops at once (a running page finishes first) without moving the cursor past unpublished records, and its external job is cancelled")]
    [ProducesResponseType<RunView>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<IResult> CancelAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/runs/{id}/cancel")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        var requested = await runs.RequestCancelAsync(request.TenantId(), id, cancellationToken);
        await RunOrchestrations.RaiseCancelAsync(client, requested.Id, cancellationToken);
        return TypedResults.Accepted(RunView.LocationOf(id), RunView.Of(requested));
    }

    /// <summary>
    /// <c>POST /api/v1/integrations/{id}/run</c>: 202 with the run and its <c>Location</c>; 409 naming the running run when
    /// one is in flight. With <c>?waitSeconds=N</c> (0 to <see cref="MaxWait"/>; 400 for any other value, and then
    /// nothing is started) it answers when the run has ended — 200 with the ended run — or after N seconds with the 202.
    /// </summary>
    [Function("StartIntegrationRun")]
    [Idempotent]
    [EndpointSummary("Start a sync now; poll the Location for its progress, or ?waitSeconds=N to have the answer wait for its end")]
    [QueryParameter("waitSeconds", typeof(int), "Wait until the run has ended, at most this many seconds (0 to 60; default 0: answer at once with 202). 200 with the ended run when it ended in time, else 202 as without it.")]
    [ProducesResponseType<RunView>(StatusCodes.Status200OK)]
    [ProducesResponseType<RunView>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<IResult> StartIntegrationRunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/integrations/{id}/run")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        var (wait, problem) = WaitOf(request);
        if (problem is not null)
        {
            return problem;
        }

        var run = await runs.StartIntegrationRunAsync(request.TenantId(), id, cancellationToken);
        await RunOrchestrations.EnsureStartedAsync(client, steps, run, cancellationToken, justCreated: true);
        return await StartedAsync(request, run, wait, cancellationToken);
    }

    /// <summary><c>GET /api/v1/integrations/{id}/runs</c>: the integration's run history, newest first.</summary>
    [Function("ListIntegrationRuns")]
    [Paged]
    [EndpointSummary("An integration's run history, newest first")]
    [ProducesResponseType<PageResponse<RunView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> ListIntegrationRunsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/integrations/{id}/runs")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (Paging.Read(request, out var problem) is not { } paging)
        {
            return problem!;
        }

        var page = await runs.ListForIntegrationAsync(request.TenantId(), id, paging.Limit, paging.ContinuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<RunView>(page.Items.Select(RunView.Of).ToList(), page.ContinuationToken));
    }

    /// <summary><c>POST /api/v1/flows/{id}/run</c>: 202 with the run; <c>?waitSeconds=N</c> as for an integration's run.</summary>
    [Function("StartFlowRun")]
    [Idempotent]
    [EndpointSummary("Start a run of a flow; poll the Location for its progress, or ?waitSeconds=N to have the answer wait for its end")]
    [QueryParameter("waitSeconds", typeof(int), "Wait until the run has ended, at most this many seconds (0 to 60; default 0: answer at once with 202). 200 with the ended run when it ended in time, else 202 as without it.")]
    [ProducesResponseType<RunView>(StatusCodes.Status200OK)]
    [ProducesResponseType<RunView>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<IResult> StartFlowRunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/flows/{id}/run")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        var (wait, problem) = WaitOf(request);
        if (problem is not null)
        {
            return problem;
        }

        var run = await runs.StartFlowRunAsync(request.TenantId(), id, cancellationToken);
        await RunOrchestrations.EnsureStartedAsync(client, steps, run, cancellationToken, justCreated: true);
        return await StartedAsync(request, run, wait, cancellationToken);
    }
}
