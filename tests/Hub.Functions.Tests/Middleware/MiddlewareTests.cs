using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using IntegrationHub.Core.Errors;
using IntegrationHub.Core.Webhooks;
using IntegrationHub.Functions.Api;
using IntegrationHub.Functions.Http.Integrations;
using IntegrationHub.Functions.Http.Operations;
using IntegrationHub.Functions.Http.Webhooks;
using IntegrationHub.Functions.Middleware;
using IntegrationHub.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moq;

namespace IntegrationHub.Functions.Tests.Middleware;

/// <summary>Authentication and access: who gets past, who gets 401 (with the Bearer challenge) or 403, and that the function then does not run.</summary>
public sealed class AuthenticationMiddlewareTests
{
    private const string AdminKey = "unit-admin-key-0123456789abcdef";

    // No test here reaches the tenant store: the admin key, malformed keys and App Service principals are decided without it.
    private static AuthenticationMiddleware Middleware(bool trustAppService = false) => new(new ApiKeyAuthenticator(
        Options.Create(new AuthOptions { AdminKey = AdminKey, TrustAppServiceAuthentication = trustAppService }),
        null!,
        new MemoryCache(new MemoryCacheOptions()),
        TimeProvider.System));

    private static FunctionInvocation TenantFunction() => new(typeof(IntegrationsFunctions), nameof(IntegrationsFunctions.ListAsync), "ListIntegrations");

    [Fact]
    public async Task An_anonymous_function_runs_without_a_key()
    {
        var invocation = new FunctionInvocation(typeof(HealthFunction), nameof(HealthFunction.GetAsync), "Health");

        await invocation.RunAsync(Middleware());

        Assert.True(invocation.NextRan);
        Assert.Null(invocation.Result);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer let-me-in")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Without_a_valid_key_a_tenant_function_is_401_with_a_bearer_challenge_and_does_not_run(string? authorization)
    {
        var invocation = TenantFunction();
        if (authorization is not null)
        {
            invocation.Http.Request.Headers.Authorization = authorization;
        }

        await invocation.RunAsync(Middleware());

        Assert.False(invocation.NextRan);
        var (status, body) = await invocation.ExecuteResultAsync();
        Assert.Equal(StatusCodes.Status401Unauthorized, status);
        Assert.Equal("application/problem+json", invocation.Http.Response.ContentType);
        Assert.StartsWith("Bearer", invocation.Http.Response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(401, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task The_admin_key_on_a_tenant_function_is_403_and_it_does_not_run()
    {
        var invocation = TenantFunction();
        invocation.Http.Request.Headers["X-API-Key"] = AdminKey;

        await invocation.RunAsync(Middleware());

        Assert.False(invocation.NextRan);
        Assert.Equal(StatusCodes.Status403Forbidden, (await invocation.ExecuteResultAsync()).Status);
    }

    [Fact]
    public async Task A_trusted_app_service_principal_of_a_tenant_runs_a_tenant_function_as_that_tenant()
    {
        var invocation = TenantFunction();
        invocation.Http.Request.Headers["X-MS-CLIENT-PRINCIPAL"] = Principal(("hub_tenant", "acme"), ("name", "ada"));
        string? tenant = null;

        await invocation.RunAsync(Middleware(trustAppService: true), _ =>
        {
            tenant = invocation.Http.Request.TenantId();
            return Task.CompletedTask;
        });

        Assert.True(invocation.NextRan);
        Assert.Equal("acme", tenant);
    }

    [Fact]
    public async Task An_app_service_principal_is_nobody_unless_trusted()
    {
        var invocation = TenantFunction();
        invocation.Http.Request.Headers["X-MS-CLIENT-PRINCIPAL"] = Principal(("hub_tenant", "acme"));

        await invocation.RunAsync(Middleware(trustAppService: false));

        Assert.False(invocation.NextRan);
        Assert.Equal(StatusCodes.Status401Unauthorized, (await invocation.ExecuteResultAsync()).Status);
    }

    private static string Principal(params (string Type, string Value)[] claims) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { claims = claims.Select(c => new { typ = c.Type, val = c.Value }) })));
}

/// <summary>Exceptions escaping a function become RFC 7807 problems with the right status, and internals never reach the caller.</summary>
public sealed class ProblemMiddlewareTests
{
    private readonly Mock<ILogger<ProblemMiddleware>> _logger = new();

    public ProblemMiddlewareTests() => _logger.Setup(l => l.IsEnabled(It.IsAny<LogLevel>())).Returns(true);

    private ProblemMiddleware Middleware() => new(_logger.Object);

    private static FunctionInvocation Invocation() => new(typeof(IntegrationsFunctions), nameof(IntegrationsFunctions.ListAsync), "ListIntegrations");

    [Fact]
    public async Task A_validation_failure_is_400_naming_every_field()
    {
        var invocation = Invocation();

        await invocation.RunAsync(Middleware(), _ => throw new ValidationFailedException(new Dictionary<string, string[]> { ["schedule"] = ["is not NCRONTAB"], ["configuration.owner"] = ["is required"] }));

        var (status, body) = await invocation.ExecuteResultAsync();
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", invocation.Http.Response.ContentType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.Equal("is not NCRONTAB", errors.GetProperty("schedule")[0].GetString());
        Assert.Equal("is required", errors.GetProperty("configuration.owner")[0].GetString());
    }

    [Theory]
    [InlineData(typeof(ResourceNotFoundException), 404)]
    [InlineData(typeof(StaleVersionException), 412)]
    [InlineData(typeof(ResourceConflictException), 409)]
    public async Task Refusals_of_the_domain_keep_their_message_and_status(Type exceptionType, int expected)
    {
        var invocation = Invocation();
        var exception = (Exception)Activator.CreateInstance(exceptionType, exceptionType == typeof(ResourceConflictException) ? ["Integration 'x' uses it.", null, null] : ["Integration", "int-1"])!;

        await invocation.RunAsync(Middleware(), _ => throw new TargetInvocationException(exception)); // as reflection-invoked functions throw

        var (status, body) = await invocation.ExecuteResultAsync();
        Assert.Equal(expected, status);
        Assert.Equal(exception.Message, JsonDocument.Parse(body).RootElement.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData(true, 503)]
    [InlineData(false, 422)]
    public async Task A_dependency_refusing_again_is_503_with_retry_after_when_transient_else_422_with_its_reason(bool transient, int expected)
    {
        var invocation = Invocation();

        await invocation.RunAsync(Middleware(), _ => throw new DependencyRefusedException("The sink refused the event again.", "topic is fenced", transient));

        var (status, body) = await invocation.ExecuteResultAsync();
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(expected, status);
        Assert.Equal(("The sink refused the event again.", "topic is fenced"), (problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString()));
        Assert.Equal(transient ? "5" : string.Empty, invocation.Http.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_request_to_retry_later_is_503_with_retry_after_and_its_message()
    {
        var invocation = Invocation();

        await invocation.RunAsync(Middleware(), _ => throw new RetryLaterException("The run is changing too fast to record the request; retry."));

        var (status, body) = await invocation.ExecuteResultAsync();
        Assert.Equal(503, status);
        Assert.Equal("The run is changing too fast to record the request; retry.", JsonDocument.Parse(body).RootElement.GetProperty("title").GetString());
        Assert.Equal("5", invocation.Http.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_throttled_store_is_503_with_retry_after()
    {
        var invocation = Invocation();

        await invocation.RunAsync(Middleware(), _ => throw new CosmosException("busy", HttpStatusCode.TooManyRequests, 3200, "activity", 1));

        Assert.Equal(503, (await invocation.ExecuteResultAsync()).Status);
        Assert.Equal("5", invocation.Http.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task An_unexpected_exception_is_500_without_its_message_which_only_the_log_gets()
    {
        var invocation = Invocation();
        var secret = new InvalidOperationException("connection string AccountKey=c2VjcmV0");

        await invocation.RunAsync(Middleware(), _ => throw secret);

        var (status, body) = await invocation.ExecuteResultAsync();
        Assert.Equal(500, status);
        Assert.DoesNotContain("AccountKey", body, StringComparison.Ordinal);
        _logger.Verify(l => l.Log(LogLevel.Error, It.IsAny<EventId>(), It.IsAny<It.IsAnyType>(), secret, It.IsAny<Func<It.IsAnyType, Exception?, string>>()), Times.Once);
    }

    [Fact]
    public async Task A_request_the_caller_abandoned_gets_no_answer()
    {
        var invocation = Invocation();
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        invocation.Http.RequestAborted = aborted.Token;

        await invocation.RunAsync(Middleware(), _ => throw new OperationCanceledException(aborted.Token));

        Assert.Null(invocation.Result);
#pragma warning disable CA1873 // a Moq expression, never evaluated as a log call
        _logger.Verify(l => l.Log(It.IsAny<LogLevel>(), It.IsAny<EventId>(), It.IsAny<It.IsAnyType>(), It.IsAny<Exception?>(), It.IsAny<Func<It.IsAnyType, Exception?, string>>()), Times.Never);
#pragma warning restore CA1873
    }

    [Fact]
    public async Task A_function_that_succeeds_keeps_its_own_result()
    {
        var invocation = Invocation();
        var ok = TypedResults.Ok("fine");

        await invocation.RunAsync(Middleware(), _ =>
        {
            invocation.Result = ok;
            return Task.CompletedTask;
        });

        Assert.Same(ok, invocation.Result);
    }
}

/// <summary>Bodies over Api__MaxRequestBodyBytes are refused before the function reads them.</summary>
public sealed class RequestLimitsMiddlewareTests
{
    private static RequestLimitsMiddleware Middleware(long max, int webhookMax = 1_048_576) => new(Options.Create(new ApiOptions { MaxRequestBodyBytes = max }), Options.Create(new WebhookOptions { MaxBodyBytes = webhookMax }));

    [Fact]
    public async Task The_webhook_receiver_has_its_own_limit_instead_of_the_APIs()
    {
        var within = new FunctionInvocation(typeof(WebhooksFunctions), nameof(WebhooksFunctions.ReceiveAsync), "ReceiveWebhook");
        within.Http.Request.ContentLength = 500_000;
        var over = new FunctionInvocation(typeof(WebhooksFunctions), nameof(WebhooksFunctions.ReceiveAsync), "ReceiveWebhook");
        over.Http.Request.ContentLength = 1_048_577;

        await within.RunAsync(Middleware(1024));
        await over.RunAsync(Middleware(1024));

        Assert.True(within.NextRan);
        Assert.False(over.NextRan);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_is_413_and_the_function_does_not_run()
    {
        var invocation = new FunctionInvocation(typeof(IntegrationsFunctions), nameof(IntegrationsFunctions.CreateAsync), "CreateIntegration");
        invocation.Http.Request.ContentLength = 1025;

        await invocation.RunAsync(Middleware(1024));

        Assert.False(invocation.NextRan);
        var (status, body) = await invocation.ExecuteResultAsync();
        Assert.Equal(413, status);
        Assert.Contains("1024 bytes", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_within_the_limit_runs_and_a_chunked_one_is_capped_at_the_limit_while_read()
    {
        var invocation = new FunctionInvocation(typeof(IntegrationsFunctions), nameof(IntegrationsFunctions.CreateAsync), "CreateIntegration");
        var limit = new BodySizeFeature();
        invocation.Http.Features.Set<IHttpMaxRequestBodySizeFeature>(limit);
        invocation.Http.Request.ContentLength = 1024;

        await invocation.RunAsync(Middleware(1024));

        Assert.True(invocation.NextRan);
        Assert.Null(invocation.Result);
        Assert.Equal(1024, limit.MaxRequestBodySize);
    }

    private sealed class BodySizeFeature : IHttpMaxRequestBodySizeFeature
    {
        public bool IsReadOnly => false;

        public long? MaxRequestBodySize { get; set; } = 30_000_000;
    }
}

/// <summary>The Idempotency-Key's scope: the function and its route values, whatever the path's spelling.</summary>
public sealed class IdempotencyCanonicalRouteTests
{
    private static string Canonical(string functionName, string path, params (string Key, object? Value)[] routeValues)
    {
        var invocation = new FunctionInvocation(typeof(IntegrationsFunctions), nameof(IntegrationsFunctions.CreateAsync), functionName);
        invocation.Http.Request.Path = path;
        foreach (var (key, value) in routeValues)
        {
            invocation.Http.Request.RouteValues[key] = value;
        }

        return IdempotencyMiddleware.CanonicalRoute(invocation.Context.Object, invocation.Http);
    }

    [Fact]
    public void The_paths_letter_case_does_not_change_the_scope()
    {
        Assert.Equal(Canonical("CreateIntegration", "/api/v1/integrations"), Canonical("CreateIntegration", "/api/v1/Integrations"));
        Assert.Equal(Canonical("CreateIntegration", "/api/v1/integrations"), Canonical("CreateIntegration", "/API/V1/INTEGRATIONS"));
    }

    [Fact]
    public void Route_values_count_whatever_their_order_or_the_names_case_and_absent_ones_do_not()
    {
        Assert.Equal(
            Canonical("RunCancel", "/api/v1/runs/r1/cancel", ("tenantId", "acme"), ("id", "r1")),
            Canonical("RunCancel", "/api/v1/runs/r1/cancel", ("Id", "r1"), ("TenantId", "acme"), ("optional", null)));
    }

    [Fact]
    public void Another_function_or_another_resource_is_another_scope()
    {
        Assert.NotEqual(Canonical("CreateIntegration", "/api/v1/integrations"), Canonical("CreateCredential", "/api/v1/integrations"));
        Assert.NotEqual(Canonical("IntegrationRun", "/api/v1/integrations/a/run", ("id", "a")), Canonical("IntegrationRun", "/api/v1/integrations/b/run", ("id", "b")));
    }
}

/// <summary>Answers given as ASP.NET Core <see cref="IResult"/> are handed to the worker as something it executes.</summary>
public sealed class HttpResultMiddlewareTests
{
    [Fact]
    public async Task An_iresult_is_wrapped_in_an_action_result_that_executes_it()
    {
        var invocation = new FunctionInvocation(typeof(HealthFunction), nameof(HealthFunction.GetAsync), "Health");

        await invocation.RunAsync(new HttpResultMiddleware(), _ =>
        {
            invocation.Result = TypedResults.StatusCode(418);
            return Task.CompletedTask;
        });

        var action = Assert.IsType<HttpResultMiddleware.ResultAction>(invocation.Result);
        await action.ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext { HttpContext = invocation.Http });
        Assert.Equal(418, invocation.Http.Response.StatusCode);
    }
}
