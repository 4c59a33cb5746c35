using System.Security.Claims;
using System.Text.Json;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Security;
using IntegrationHub.Jobs.Livy;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Functions.Functions.SparkJobs;

/// <summary>
/// The <c>SparkJobs</c> function: a tenant's registered Spark job definitions (file, className, args, conf,
/// resources, queue, proxy user), which <c>spark</c> flow steps run by name with <c>{"job": "name"}</c>.
/// </summary>
public static class SparkJobsEndpoints
{
    /// <summary>A registered job as the API shows it.</summary>
    public sealed record SparkJobView(string Name, SparkJobDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapSparkJobs(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/spark-jobs").WithTags("Spark jobs").RequireAuthorization(Caller.TenantPolicy);
        group.MapPost("/", CreateAsync).Idempotent().Accepts<SparkJobDefinition>("application/json").Produces<SparkJobView>(StatusCodes.Status201Created).WithSummary("Register a Spark job definition");
        group.MapGet("/", ListAsync).Produces<PageResponse<SparkJobView>>().WithSummary("List registered Spark jobs");
        group.MapGet("/{name}", GetAsync).Produces<SparkJobView>().WithSummary("Get a registered Spark job");
        group.MapPut("/{name}", ReplaceAsync).Accepts<SparkJobDefinition>("application/json").Produces<SparkJobView>().WithSummary("Replace a registered Spark job (If-Match honoured)");
        group.MapDelete("/{name}", DeleteAsync).WithSummary("Remove a registered Spark job (If-Match honoured)");
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(JsonBody<SparkJobDefinition> body, ClaimsPrincipal user, SparkJobStore jobs, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if ((body.Problem ?? Validate(body.Value!)) is { } problem)
        {
            return problem;
        }

        try
        {
            var now = time.GetUtcNow();
            var job = await jobs.CreateAsync(new RegisteredSparkJob { Id = body.Value!.Name, TenantId = user.TenantId(), Definition = body.Value, CreatedAt = now, UpdatedAt = now }, cancellationToken);
            http.Response.Headers.ETag = ETags.ToHeader(job.ETag);
            return TypedResults.Created($"/api/v1/spark-jobs/{job.Id}", View(job));
        }
        catch (DocumentExistsException)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, $"A Spark job named '{body.Value!.Name}' is already registered.", "Replace it with PUT, or choose another name.");
        }
    }

    private static async Task<IResult> ListAsync(int? limit, string? continuationToken, ClaimsPrincipal user, SparkJobStore jobs, CancellationToken cancellationToken)
    {
        if (Paging.Validate(limit) is { } problem)
        {
            return problem;
        }

        var page = await jobs.ListAsync(user.TenantId(), limit ?? Paging.DefaultLimit, continuationToken, cancellationToken);
        return TypedResults.Ok(new PageResponse<SparkJobView>(page.Items.Select(View).ToList(), page.ContinuationToken));
    }

    private static async Task<IResult> GetAsync(string name, ClaimsPrincipal user, SparkJobStore jobs, HttpContext http, CancellationToken cancellationToken)
    {
        if (await jobs.GetAsync(user.TenantId(), name, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound("Spark job", name);
        }

        http.Response.Headers.ETag = ETags.ToHeader(job.ETag);
        return TypedResults.Ok(View(job));
    }

    private static async Task<IResult> ReplaceAsync(string name, JsonBody<SparkJobDefinition> body, ClaimsPrincipal user, SparkJobStore jobs, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if ((body.Problem ?? Validate(body.Value!)) is { } problem)
        {
            return problem;
        }

        if (body.Value!.Name != name)
        {
            return ApiProblems.Validation("name", $"must be '{name}', the job's registered name; register a new name with POST.");
        }

        if (await jobs.GetAsync(user.TenantId(), name, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound("Spark job", name);
        }

        if (!ETags.Satisfies(http.Request, job.ETag))
        {
            return ApiProblems.Stale("Spark job", name);
        }

        var updated = await jobs.ReplaceAsync(job with { Definition = body.Value, UpdatedAt = time.GetUtcNow() }, cancellationToken);
        http.Response.Headers.ETag = ETags.ToHeader(updated.ETag);
        return TypedResults.Ok(View(updated));
    }

    private static async Task<IResult> DeleteAsync(string name, ClaimsPrincipal user, SparkJobStore jobs, HttpContext http, CancellationToken cancellationToken)
    {
        if (await jobs.GetAsync(user.TenantId(), name, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound("Spark job", name);
        }

        if (!ETags.Satisfies(http.Request, job.ETag))
        {
            return ApiProblems.Stale("Spark job", name);
        }

        await jobs.DeleteAsync(user.TenantId(), name, job.ETag, cancellationToken);
        return TypedResults.NoContent();
    }

    private static IResult? Validate(SparkJobDefinition definition)
    {
        var errors = definition.Validate()
            .SelectMany(r => r.MemberNames.DefaultIfEmpty(string.Empty).Select(m => (Field: m.Length == 0 ? "$" : JsonNamingPolicy.CamelCase.ConvertName(m), Message: r.ErrorMessage ?? "is not valid.")))
            .GroupBy(e => e.Field)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        return errors.Count == 0 ? null : ApiProblems.Validation(errors);
    }

    private static SparkJobView View(RegisteredSparkJob job) => new(job.Id, job.Definition, job.CreatedAt, job.UpdatedAt);
}
