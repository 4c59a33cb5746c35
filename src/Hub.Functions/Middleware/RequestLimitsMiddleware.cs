using IntegrationHub.Core.Webhooks;
using IntegrationHub.Functions.Api;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Functions.Middleware;

/// <summary>
/// Refuses a request body larger than <c>Api__MaxRequestBodyBytes</c> with 413: at once when
/// <c>Content-Length</c> says so, and while reading for a chunked body (the read then fails with a 413
/// <see cref="BadHttpRequestException"/>, answered by <see cref="ProblemMiddleware"/>). The webhook receiver
/// (<see cref="WebhookBodyLimitAttribute"/>) has its own limit, <c>Webhooks__MaxBodyBytes</c> (senders' payloads are larger than API bodies).
/// </summary>
internal sealed class RequestLimitsMiddleware(IOptions<ApiOptions> options, IOptions<WebhookOptions> webhooks) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.Http();
        long max = HttpFunctionInfo.Of(context).WebhookBody ? webhooks.Value.MaxBodyBytes : options.Value.MaxRequestBodyBytes;
        if (http.Request.ContentLength > max)
        {
            context.Answer(ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "The body is too large.", $"The largest body accepted is {max} bytes."));
            return;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        await next(context);
    }
}
