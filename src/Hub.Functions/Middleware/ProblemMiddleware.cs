using System.Net;
using System.Reflection;
using IntegrationHub.Core.Errors;
using IntegrationHub.Secrets;
using IntegrationHub.Shared.Cosmos;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace IntegrationHub.Functions.Middleware;

/// <summary>
/// Turns an exception that escapes an HTTP function into an RFC 7807 problem response. Refusals of the
/// domain services carry messages the caller can act on and are answered with them; messages of
/// unexpected exceptions are not echoed (they may carry internals or secrets) — the log line has them,
/// found by the invocation id.
/// </summary>
internal sealed class ProblemMiddleware(ILogger<ProblemMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception thrown)
        {
            var exception = Unwrap(thrown);
            var http = context.Http();
            if (exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
            {
                return; // the caller has gone; nobody reads an answer
            }

            var problem = Describe(exception);
            var status = problem.Status!.Value;
            if (status >= StatusCodes.Status500InternalServerError)
            {
                Logs.RequestFailed(logger, http.Request.Method, http.Request.Path, status, exception);
            }

            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                http.Response.Headers.RetryAfter = "5";
            }

            context.Answer(problem is HttpValidationProblemDetails validation
                ? TypedResults.ValidationProblem(validation.Errors, validation.Detail, title: validation.Title)
                : TypedResults.Problem(problem));
        }
    }

    private static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        _ => e,
    };

    /// <summary>The problem for <paramref name="exception"/>: 4xx for refusals, 503 for an unavailable store, else 500.</summary>
    internal static ProblemDetails Describe(Exception exception) => exception switch
    {
        ValidationFailedException e => new HttpValidationProblemDetails(e.Errors.ToDictionary(p => p.Key, p => p.Value))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid.",
            Detail = string.Join(" ", e.Errors.Select(p => $"{p.Key}: {string.Join(" ", p.Value)}")),
        },
        ResourceNotFoundException e => Details(StatusCodes.Status404NotFound, e.Message, null),
        StaleVersionException e => Details(StatusCodes.Status412PreconditionFailed, e.Message, "Read it again (GET), and retry with its current ETag."),
        ResourceConflictException e => Details(StatusCodes.Status409Conflict, e.Message, e.Detail),
        RetryLaterException e => Details(StatusCodes.Status503ServiceUnavailable, e.Message, e.Detail),
        DependencyRefusedException e => Details(e.IsTransient ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status422UnprocessableEntity, e.Message, e.Detail),
        SecretVersionConflictException => Details(StatusCodes.Status409Conflict, "The secret was changed by another writer while the request was processed.", "Read it again (GET) and retry."),

        // Secret store messages name the store, ids and status, never a value (Hub.Secrets guarantees it).
        SecretStoreException e when e is not SecretIntegrityException => Details(StatusCodes.Status503ServiceUnavailable, "The secret store is unavailable; retry shortly.", e.Message),
        ConcurrencyConflictException e => Details(StatusCodes.Status412PreconditionFailed, "The resource changed while the request was processed.", e.Message),
        DocumentExistsException => Details(StatusCodes.Status409Conflict, "The resource already exists.", null),
        CosmosException { StatusCode: HttpStatusCode.TooManyRequests } => Details(StatusCodes.Status503ServiceUnavailable, "The store is busy; retry shortly.", null),
        CosmosException or HttpRequestException => Details(StatusCodes.Status503ServiceUnavailable, "The store is unavailable; retry shortly.", null),
        BadHttpRequestException e => Details(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The body is too large." : "The request could not be read.", e.Message),
        _ => Details(StatusCodes.Status500InternalServerError, "An unexpected error occurred.", null),
    };

    private static ProblemDetails Details(int status, string title, string? detail) => new() { Status = status, Title = title, Detail = detail };
}
