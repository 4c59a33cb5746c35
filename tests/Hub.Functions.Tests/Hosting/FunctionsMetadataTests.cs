using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using IntegrationHub.Functions.Tests.Infrastructure;

namespace IntegrationHub.Functions.Tests.Hosting;

/// <summary>
/// What the host serves (the build's functions.metadata: every HTTP trigger's route and methods) and what the
/// hub documents (/api/openapi.json) must agree, or a documented call 404s in Azure or a served one is unknown
/// to the API's users and its generated clients.
/// </summary>
[Collection(ApiHub.Name)]
public sealed partial class FunctionsMetadataTests(ApiHubFixture fixture)
{
    private static readonly string[] OpenApiMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    [Fact]
    public async Task Every_http_function_is_in_the_openapi_document_and_every_documented_operation_is_a_function()
    {
        var served = ServedOperations();
        var document = await fixture.Hub.Client.GetFromJsonAsync<JsonElement>("api/openapi.json");
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(op => OpenApiMethods.Contains(op.Name)).Select(op => $"{op.Name.ToUpperInvariant()} {Normalize(path.Name)}"))
            .ToHashSet(StringComparer.Ordinal);

        Assert.True(served.Count > 5, $"only {served.Count} HTTP functions in functions.metadata");
        Assert.Empty(served.Keys.Except(documented).Select(op => $"{op} (function {served[op]}) is not documented"));
        Assert.Empty(documented.Except(served.Keys).Select(op => $"{op} is documented but no function serves it"));
    }

    [Fact]
    public void Every_timer_function_reads_its_schedule_from_a_setting()
    {
        var timers = Functions().Where(f => Trigger(f).GetProperty("type").GetString() == "timerTrigger").ToList();

        Assert.Equal(["DrainCommands", "DrainWebhooks", "ProbeDependencies", "ScheduleSyncs"], timers.Select(f => f.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(timers, f => Assert.Equal($"%Timers:{f.GetProperty("name").GetString()}%", Trigger(f).GetProperty("schedule").GetString()));
    }

    /// <summary>"METHOD /route" of every HTTP trigger in the build output, with the function's name.</summary>
    private static Dictionary<string, string> ServedOperations()
    {
        var operations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var function in Functions())
        {
            var trigger = Trigger(function);
            if (trigger.GetProperty("type").GetString() != "httpTrigger")
            {
                continue;
            }

            var route = Normalize("/" + trigger.GetProperty("route").GetString());
            foreach (var method in trigger.GetProperty("methods").EnumerateArray())
            {
                operations.Add($"{method.GetString()!.ToUpperInvariant()} {route}", function.GetProperty("name").GetString()!);
            }
        }

        return operations;
    }

    private static List<JsonElement> Functions() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsBuild.OutputDirectory, "functions.metadata"))).RootElement.EnumerateArray().ToList();

    private static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    // Route parameters compare by name only: "{id:guid}" and "{id?}" are "{id}"; paths compare case-insensitively, as the host routes.
    private static string Normalize(string path) => Parameter().Replace(path, m => "{" + m.Groups[1].Value + "}").ToLowerInvariant();

    [GeneratedRegex(@"\{\*?([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex Parameter();
}
