using IntegrationHub.Functions.Hosting.CustomHandler;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Functions.Tests.Hosting;

/// <summary>
/// The Functions host only forwards what a function.json declares, and the handler only serves what it
/// maps: the two views must agree, or a route works standalone and 404s in Azure (or the reverse).
/// </summary>
public sealed class FunctionAgreementTests : IAsyncLifetime
{
    private HubHost _hub = null!;
    private IReadOnlyList<FunctionDefinition> _functions = null!;

    public async Task InitializeAsync()
    {
        _hub = await HubHost.StartAsync();
        _functions = FunctionDefinition.LoadAll(Path.Combine(RepositoryRoot.Path, "src", "Hub.Functions", "Functions"));
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public void Every_function_json_route_and_method_reaches_a_handler_endpoint()
    {
        var endpoints = FunctionRoutes.ApiEndpoints(_hub.Services);
        var unreached = new List<string>();
        foreach (var function in _functions.Where(f => f.IsHttp))
        {
            // A route with an optional segment ("v1/tenants/{tenantId?}") reaches a handler when some form of it does.
            foreach (var method in FunctionRoutes.MethodsOf(function))
            {
                var paths = FunctionRoutes.SamplePaths(FunctionRoutes.TemplateOf(function)).ToList();
                if (!paths.Any(path => endpoints.Any(e => e.Methods.Contains(method) && FunctionRoutes.Matches(e.Template, path))))
                {
                    unreached.Add($"{function.Name}: {method} {string.Join(" | ", paths)}");
                }
            }
        }

        Assert.True(_functions.Any(f => f.IsHttp), "no HTTP functions found");
        Assert.Empty(unreached);
    }

    [Fact]
    public void Every_handler_endpoint_is_reachable_through_exactly_one_function()
    {
        var http = _functions.Where(f => f.IsHttp).Select(f => (Function: f, Template: FunctionRoutes.TemplateOf(f), Methods: FunctionRoutes.MethodsOf(f))).ToList();
        var problems = new List<string>();
        foreach (var endpoint in FunctionRoutes.ApiEndpoints(_hub.Services))
        {
            foreach (var method in endpoint.Methods)
            {
                foreach (var path in FunctionRoutes.SamplePaths(endpoint.Template))
                {
                    var candidates = http.Where(f => f.Methods.Contains(method) && FunctionRoutes.Matches(f.Template, path)).ToList();
                    if (candidates.Count == 0)
                    {
                        problems.Add($"{method} {endpoint.Pattern} ({path}): no function forwards it");
                        continue;
                    }

                    // The host routes to the most specific template, as ASP.NET routing does.
                    var best = candidates.Min(c => FunctionRoutes.Precedence(c.Template));
                    var winners = candidates.Where(c => FunctionRoutes.Precedence(c.Template) == best).Select(c => c.Function.Name).ToList();
                    if (winners.Count != 1)
                    {
                        problems.Add($"{method} {endpoint.Pattern} ({path}): ambiguous between {string.Join(", ", winners)}");
                    }
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Every_timer_function_has_a_handler_and_every_handler_a_timer_function()
    {
        var timers = _functions.Where(f => f.IsTimer).Select(f => f.Name).Order().ToList();
        var invocations = FunctionRoutes.InvocationEndpoints(_hub.Services).Order().ToList();

        Assert.NotEmpty(timers);
        Assert.Equal(timers, invocations);
    }

    [Fact]
    public void Every_function_has_exactly_one_trigger_and_http_functions_answer_through_the_http_output()
    {
        foreach (var function in _functions)
        {
            Assert.Single(function.Bindings, b => b.Direction == "in" && b.Type.EndsWith("Trigger", StringComparison.Ordinal));
            if (function.IsHttp)
            {
                Assert.Contains(function.Bindings, b => b is { Type: "http", Direction: "out" });
                Assert.False(string.IsNullOrEmpty(function.Trigger.Route), $"{function.Name} has no route");
            }
        }
    }
}
