using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Middleware;
using IntegrationHub.Functions.Security;
using IntegrationHub.Jobs.Livy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IntegrationHub.Functions.Http.SparkJobs;

/// <summary>
/// A tenant's registered Spark job definitions under <c>/api/v1/spark-jobs</c> (file, className, args,
/// conf, resources, queue, proxy user — Apache Livy's batch fields), which <c>spark</c> flow steps run by
/// name with <c>{"job": "name"}</c>.
/// </summary>
[Requires(Access.Tenant)]
[Tags("Spark jobs")]
public sealed class SparkJobsFunctions(SparkJobService jobs)
{
    /// <summary>A registered job as the API shows it.</summary>
    public sealed record SparkJobView(string Name, SparkJobDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <summary><c>POST /api/v1/spark-jobs</c>: 201, or 409 when the name is registered.</summary>
    [Function("CreateSparkJob")]
    [Idempotent]
    [EndpointSummary("Register a Spark job definition")]
    [Consumes(typeof(SparkJobDefinition), "application/json")]
    [ProducesResponseType<SparkJobView>(StatusCodes.Status201Created)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<IResult> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/spark-jobs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<SparkJobDefinition>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var job = await jobs.CreateAsync(request.TenantId(), body.Value!, cancellationToken);
        return TypedResults.Created($"/api/v1/spark-jobs/{job.Id}", View(job)).WithETag(job.ETag);
    }

    /// <summary><c>GET /api/v1/spark-jobs</c>: a page of registered jobs.</summary>
    [Function("ListSparkJobs")]
    [Paged]
    [EndpointSummary("List registered Spark jobs")]
    [ProducesResponseType<PageResponse<SparkJobView>>(StatusCodes.Status200OK)]
    public async Task<IResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/spark-jobs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (Paging.Read(request, out var problem) is not { } paging)
        {
            return problem!;
        }

        var page = await jobs.ListAsync(request.TenantId(), paging.Limit, paging.ContinuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<SparkJobView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }

    /// <summary><c>GET /api/v1/spark-jobs/{name}</c>: the job and its ETag.</summary>
    [Function("GetSparkJob")]
    [EndpointSummary("Get a registered Spark job")]
    [ProducesResponseType<SparkJobView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/spark-jobs/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(request.TenantId(), name, cancellationToken);
        return TypedResults.Ok(View(job)).WithETag(job.ETag);
    }

    /// <summary><c>PUT /api/v1/spark-jobs/{name}</c>: replaces the definition; <c>If-Match</c> honoured.</summary>
    [Function("ReplaceSparkJob")]
    [EndpointSummary("Replace a registered Spark job (If-Match honoured)")]
    [Consumes(typeof(SparkJobDefinition), "application/json")]
    [ProducesResponseType<SparkJobView>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    public async Task<IResult> ReplaceAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/spark-jobs/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody<SparkJobDefinition>.ReadRequiredAsync(request);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var updated = await jobs.ReplaceAsync(request.TenantId(), name, body.Value!, ETags.IfMatch(request), cancellationToken);
        return TypedResults.Ok(View(updated)).WithETag(updated.ETag);
    }

    /// <summary><c>DELETE /api/v1/spark-jobs/{name}</c>: 204; <c>If-Match</c> honoured.</summary>
    [Function("DeleteSparkJob")]
    [EndpointSummary("Remove a registered Spark job (If-Match honoured)")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed)]
    public async Task<IResult> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/spark-jobs/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        await jobs.DeleteAsync(request.TenantId(), name, ETags.IfMatch(request), cancellationToken);
        return TypedResults.NoContent();
    }

    private static SparkJobView View(RegisteredSparkJob job) => new(job.Id, job.Definition, job.CreatedAt, job.UpdatedAt);
}
