using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace IntegrationHub.DurableFloor;

/// <summary>
/// A run with nothing in it, on the hub's runtime: <c>POST /api/floor/runs</c> schedules <see cref="FloorOrchestrator"/>
/// (instance id a new GUID), which calls <see cref="FloorActivity"/> once; the request answers 200 with the instance id
/// when that activity has run in this worker (an in-process signal, as the hub's <c>GET /api/v1/runs/{id}?waitSeconds=</c>
/// is woken when the run's last activity records its end), 504 after 30 s. One HTTP request per run where the hub
/// has two (start, then wait), and no store but Durable's own: a lower bound of a hub run's cost, not an equal.
/// </summary>
public sealed class FloorFunctions
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Pending = new(StringComparer.Ordinal);

    /// <summary>Ready when the worker serves HTTP.</summary>
    [Function("FloorHealth")]
    public static IActionResult Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/floor/health")] HttpRequest request) => new OkResult();

    /// <summary>Starts one run and answers when its activity has run.</summary>
    [Function("FloorStart")]
    public static async Task<IActionResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/floor/runs")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        var id = Guid.NewGuid().ToString("N");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Pending[id] = done;
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(nameof(FloorOrchestrator), input: id, new StartOrchestrationOptions(id), request.HttpContext.RequestAborted);
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30), request.HttpContext.RequestAborted);
            return new OkObjectResult(new { id });
        }
        catch (TimeoutException)
        {
            return new StatusCodeResult(StatusCodes.Status504GatewayTimeout);
        }
        finally
        {
            Pending.TryRemove(id, out _);
        }
    }

    /// <summary>Calls the activity once.</summary>
    [Function(nameof(FloorOrchestrator))]
    public static Task<string> FloorOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context) =>
        context.CallActivityAsync<string>(nameof(FloorActivity), context.GetInput<string>());

    /// <summary>Does nothing but wake the request that started the run.</summary>
    [Function(nameof(FloorActivity))]
    public static string FloorActivity([ActivityTrigger] string id)
    {
        if (Pending.TryGetValue(id, out var done))
        {
            done.TrySetResult();
        }

        return id;
    }
}
