using System.Collections.Concurrent;
using System.Reflection;
using IntegrationHub.Functions.Security;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;

namespace IntegrationHub.Functions.Middleware;

/// <summary>Marks an HTTP function whose POST honours <c>Idempotency-Key</c> (see <see cref="IdempotencyMiddleware"/>).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class IdempotentAttribute : Attribute;

/// <summary>Marks the webhook receiver: its body limit is <c>Webhooks__MaxBodyBytes</c> instead of <c>Api__MaxRequestBodyBytes</c> (see <see cref="RequestLimitsMiddleware"/>).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class WebhookBodyLimitAttribute : Attribute;

/// <summary>
/// What the middleware needs to know of an HTTP function, read once from its method by reflection: the
/// <see cref="FunctionDefinition.EntryPoint"/> (<c>Namespace.Type.Method</c>) names it.
/// </summary>
/// <param name="Access">Who may call it (<see cref="RequiresAttribute"/>; null: any authenticated caller).</param>
/// <param name="Idempotent">Whether a POST honours <c>Idempotency-Key</c>.</param>
/// <param name="WebhookBody">Whether the webhook body limit applies.</param>
internal sealed record HttpFunctionInfo(Access? Access, bool Idempotent, bool WebhookBody = false)
{
    private static readonly ConcurrentDictionary<string, HttpFunctionInfo> Cache = new(StringComparer.Ordinal);

    /// <summary>The info of the function <paramref name="context"/> invokes.</summary>
    public static HttpFunctionInfo Of(FunctionContext context) =>
        Cache.GetOrAdd(context.FunctionDefinition.EntryPoint, static entryPoint => Read(entryPoint));

    private static HttpFunctionInfo Read(string entryPoint)
    {
        var split = entryPoint.LastIndexOf('.');
        var type = typeof(HttpFunctionInfo).Assembly.GetType(entryPoint[..split], throwOnError: true)!;
        var method = type.GetMethod(entryPoint[(split + 1)..], BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            ?? throw new InvalidOperationException($"The function entry point '{entryPoint}' was not found.");
        var access = method.GetCustomAttribute<RequiresAttribute>()?.Access ?? type.GetCustomAttribute<RequiresAttribute>()?.Access;
        return new HttpFunctionInfo(access, method.GetCustomAttribute<IdempotentAttribute>() is not null, method.GetCustomAttribute<WebhookBodyLimitAttribute>() is not null);
    }
}

/// <summary>Registration of the worker middleware, in the order each request meets it.</summary>
public static class HttpMiddlewareExtensions
{
    /// <summary>
    /// Adds, for HTTP-triggered functions only: results (<see cref="IResult"/> executed), problems
    /// (exceptions as RFC 7807), authentication and access, request limits, then Idempotency-Key.
    /// </summary>
    public static IFunctionsWorkerApplicationBuilder UseHubHttpMiddleware(this IFunctionsWorkerApplicationBuilder builder)
    {
        builder.UseWhen<HttpResultMiddleware>(IsHttp);
        builder.UseWhen<ProblemMiddleware>(IsHttp);
        builder.UseWhen<AuthenticationMiddleware>(IsHttp);
        builder.UseWhen<RequestLimitsMiddleware>(IsHttp);
        builder.UseWhen<IdempotencyMiddleware>(IsHttp);
        return builder;
    }

    private static bool IsHttp(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));

    /// <summary>The request's <see cref="HttpContext"/>; HTTP-only middleware always has one.</summary>
    internal static HttpContext Http(this FunctionContext context) =>
        context.GetHttpContext() ?? throw new InvalidOperationException($"Function '{context.FunctionDefinition.Name}' has no HTTP context.");

    /// <summary>Ends the invocation with <paramref name="result"/> instead of running the function.</summary>
    internal static void Answer(this FunctionContext context, IResult result) => context.GetInvocationResult().Value = result;
}
