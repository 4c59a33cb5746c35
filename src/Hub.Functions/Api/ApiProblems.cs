using System.Net;
using IntegrationHub.Core.Errors;
using IntegrationHub.Secrets;
using IntegrationHub.Shared.Cosmos;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Functions.Api;

/// <summary>RFC 7807 problem responses: the one shape every API error takes.</summary>
public static class ApiProblems
{
    /// <summary>A problem with a status, a title and an optional detail.</summary>
    public static IResult Problem(int status, string title, string? detail = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>400 with one field error.</summary>
    public static IResult Validation(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>400 with field errors: <c>errors</c> maps each field's JSON path to its messages.</summary>
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is invalid.", detail: string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

    /// <summary>404 for something the caller cannot see, whether it does not exist or belongs to another tenant.</summary>
    public static IResult NotFound(string what, string id) => Problem(StatusCodes.Status404NotFound, $"{what} '{id}' was not found.");

    /// <summary>412 when <c>If-Match</c> names a version that is no longer current.</summary>
    public static IResult Stale(string what, string id) =>
        Problem(StatusCodes.Status412PreconditionFailed, $"{what} '{id}' has changed since the version in If-Match.", "Read it again (GET), and retry with its current ETag.");
}

/// <summary>
/// Turns exceptions that escape an endpoint into problem responses. Messages of unexpected exceptions
/// are not echoed: they may carry internals or secrets; the trace id lets an operator find the log line.
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            // Refusals from the domain services: the caller can act on them, so their messages are the answer.
            ValidationFailedException e => new HttpValidationProblemDetails(e.Errors.ToDictionary(p => p.Key, p => p.Value))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is invalid.",
                Detail = string.Join(" ", e.Errors.Select(p => $"{p.Key}: {string.Join(" ", p.Value)}")),
            },
            ResourceNotFoundException e => Details(StatusCodes.Status404NotFound, e.Message, null),
            StaleVersionException e => Details(StatusCodes.Status412PreconditionFailed, e.Message, "Read it again (GET), and retry with its current ETag."),
            ResourceConflictException e => Details(StatusCodes.Status409Conflict, e.Message, e.Detail),
            SecretVersionConflictException => Details(StatusCodes.Status409Conflict, "The secret was changed by another writer while the request was processed.", "Read it again (GET) and retry."),

            // Secret store messages name the store, ids and status, never a value (Hub.Secrets guarantees it).
            SecretStoreException e when e is not SecretIntegrityException => Details(StatusCodes.Status503ServiceUnavailable, "The secret store is unavailable; retry shortly.", e.Message),
            ConcurrencyConflictException e => Details(StatusCodes.Status412PreconditionFailed, "The resource changed while the request was processed.", e.Message),
            DocumentExistsException => Details(StatusCodes.Status409Conflict, "The resource already exists.", null),
            CosmosException { StatusCode: HttpStatusCode.TooManyRequests } => Details(StatusCodes.Status503ServiceUnavailable, "The store is busy; retry shortly.", null),
            CosmosException or HttpRequestException => Details(StatusCodes.Status503ServiceUnavailable, "The store is unavailable; retry shortly.", null),
            BadHttpRequestException e => Details(e.StatusCode, "The request could not be read.", e.Message),
            _ => Details(StatusCodes.Status500InternalServerError, "An unexpected error occurred.", null),
        };
        var status = problem.Status!.Value;
        if (status >= StatusCodes.Status500InternalServerError)
        {
            Logs.RequestFailed(logger, httpContext.Request.Method, httpContext.Request.Path, status, exception);
        }

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = problem,
        });
    }

    private static ProblemDetails Details(int status, string title, string? detail) => new() { Status = status, Title = title, Detail = detail };
}
