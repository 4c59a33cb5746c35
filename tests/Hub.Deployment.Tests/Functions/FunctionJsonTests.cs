using System.Text.Json;
using IntegrationHub.Shared.Scheduling;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Deployment.Tests.Functions;

/// <summary>
/// Every <c>function.json</c> is one the Functions host accepts for its trigger type, and <c>host.json</c>
/// configures the custom handler the way the package lays it out. The host is not available here, so
/// these rules are the documented schema checked by hand.
/// </summary>
public sealed class FunctionJsonTests
{
    private static readonly string[] HttpMethods = ["get", "post", "put", "delete", "patch"];
    private static readonly string[] AuthLevels = ["anonymous", "function", "admin"];

    public static TheoryData<string> Functions()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.EnumerateDirectories(FunctionsRoot).Where(d => File.Exists(Path.Combine(d, "function.json"))).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    private static string FunctionsRoot => Path.Combine(RepositoryRoot.Path, "src", "Hub.Functions", "Functions");

    [Fact]
    public void There_are_http_and_timer_functions()
    {
        var all = Directory.EnumerateDirectories(FunctionsRoot).Select(Path.GetFileName).ToList();
        Assert.Contains("Health", all);
        Assert.Contains("ProbeDependencies", all);
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Function_json_is_valid_for_its_trigger(string function)
    {
        Assert.Matches("^[A-Za-z][A-Za-z0-9_-]{0,127}$", function);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsRoot, function, "function.json")));
        var bindings = document.RootElement.GetProperty("bindings").EnumerateArray().ToList();
        foreach (var binding in bindings)
        {
            Assert.False(string.IsNullOrEmpty(binding.GetProperty("name").GetString()), $"{function}: a binding without a name");
            Assert.Contains(binding.GetProperty("direction").GetString(), new[] { "in", "out", "inout" });
            Assert.False(string.IsNullOrEmpty(binding.GetProperty("type").GetString()), $"{function}: a binding without a type");
        }

        var triggers = bindings.Where(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)).ToList();
        var trigger = Assert.Single(triggers);
        Assert.Equal("in", trigger.GetProperty("direction").GetString());
        Assert.Equal(bindings.Count, bindings.Select(b => b.GetProperty("name").GetString()).Distinct(StringComparer.OrdinalIgnoreCase).Count());

        switch (trigger.GetProperty("type").GetString())
        {
            case "httpTrigger":
                var route = trigger.GetProperty("route").GetString();
                Assert.False(string.IsNullOrWhiteSpace(route), $"{function}: an HTTP trigger needs a route");
                Assert.False(route!.StartsWith('/') || route.StartsWith("api/", StringComparison.OrdinalIgnoreCase), $"{function}: the route is below the host's 'api' prefix: {route}");
                var methods = trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToList();
                Assert.NotEmpty(methods);
                Assert.All(methods, m => Assert.Contains(m, HttpMethods));
                Assert.Contains(trigger.GetProperty("authLevel").GetString(), AuthLevels);
                var output = Assert.Single(bindings, b => b.GetProperty("direction").GetString() == "out");
                Assert.Equal("http", output.GetProperty("type").GetString());
                break;
            case "timerTrigger":
                var schedule = trigger.GetProperty("schedule").GetString();
                Assert.True(IntegrationSchedule.TryParse(schedule, out _, out var error), $"{function}: '{schedule}' is not a six-field NCRONTAB schedule: {error}");
                if (trigger.TryGetProperty("runOnStartup", out var runOnStartup))
                {
                    Assert.True(runOnStartup.ValueKind is JsonValueKind.True or JsonValueKind.False);
                }

                Assert.DoesNotContain(bindings, b => b.GetProperty("direction").GetString() == "out");
                break;
            default:
                Assert.Fail($"{function}: trigger type '{trigger.GetProperty("type").GetString()}' is not one the hub's handler serves");
                break;
        }
    }

    [Fact]
    public void Host_json_configures_the_custom_handler()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")));
        var root = host.RootElement;
        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.Equal("api", root.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", root.GetProperty("extensionBundle").GetProperty("id").GetString());

        var handler = root.GetProperty("customHandler");
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean(), "HTTP requests must be forwarded on their original path");
        var executable = handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;
        var workingDirectory = handler.GetProperty("description").GetProperty("workingDirectory").GetString()!;
        Assert.False(Path.IsPathRooted(executable), "the executable path is relative to the app root");
        Assert.Equal("Hub.Functions", Path.GetFileName(executable));
        Assert.Equal(workingDirectory, Path.GetDirectoryName(executable));
    }
}
