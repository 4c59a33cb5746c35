using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace IntegrationHub.Functions.Middleware;

/// <summary>
/// Lets HTTP functions and middleware answer with ASP.NET Core's <see cref="IResult"/> (<c>TypedResults</c>):
/// the ASP.NET Core integration executes only <see cref="IActionResult"/> values, so an <see cref="IResult"/>
/// is wrapped in one on the way out. Outermost of the hub's middleware, so every answer passes here.
/// </summary>
internal sealed class HttpResultMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        await next(context);
        var invocation = context.GetInvocationResult();
        if (invocation.Value is IResult result)
        {
            invocation.Value = new ResultAction(result);
        }
    }

    /// <summary>An <see cref="IResult"/> as an <see cref="IActionResult"/>.</summary>
    internal sealed class ResultAction(IResult result) : IActionResult
    {
        public IResult Result { get; } = result;

        public Task ExecuteResultAsync(ActionContext context) => Result.ExecuteAsync(context.HttpContext);
    }
}
