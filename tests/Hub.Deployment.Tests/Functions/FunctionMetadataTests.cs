using System.Text.Json;
using System.Text.RegularExpressions;
using IntegrationHub.Deployment.Tests.Support;
using IntegrationHub.Shared.Scheduling;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Deployment.Tests.Functions;

/// <summary>
/// The function list is the build's <c>functions.metadata</c> (the isolated worker has no function.json):
/// every timer reads its schedule from an app setting that local.settings.sample.json and Bicep both carry
/// with the same valid NCRONTAB default, every HTTP route fits host.json's empty route prefix, and every
/// function the README or Bicep names exists.
/// </summary>
public sealed partial class FunctionMetadataTests
{
    private static readonly string FunctionApp = BicepText.Read("modules/functionapp.bicep");
    private static readonly IReadOnlyList<BicepSetting> Common = BicepText.AppSettings(FunctionApp);
    private static readonly string[] HttpMethods = ["get", "head", "post", "put", "delete", "patch", "options"];

    public static TheoryData<string> Timers()
    {
        var data = new TheoryData<string>();
        foreach (var function in FunctionsMetadata.Functions.Where(f => f.TriggerType == "timerTrigger"))
        {
            data.Add(function.Name);
        }

        return data;
    }

    [Fact]
    public void The_build_indexes_the_hubs_http_and_timer_functions()
    {
        // Guards the derivation: an empty or stale file would make every theory below vacuous.
        var names = FunctionsMetadata.Functions.Select(f => f.Name).ToList();
        Assert.Contains("Health", names);
        Assert.Contains("Metrics", names);
        Assert.Subset(names.ToHashSet(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal) { "ScheduleSyncs", "DrainCommands", "ProbeDependencies", "RunOrchestrator", "SyncPage", "RunStep" });
        Assert.Empty(names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public void Every_function_is_an_isolated_worker_function_with_one_trigger()
    {
        foreach (var function in FunctionsMetadata.Functions)
        {
            // Function names: a letter, then letters, digits, '_' or '-', at most 128 characters (the host's
            // FunctionNameValidationRegex, Microsoft.Azure.WebJobs.Script Utility.IsValidFunctionName).
            Assert.Matches("^[A-Za-z][A-Za-z0-9_-]{0,127}$", function.Name);
            Assert.Equal("dotnet-isolated", function.Language);
            Assert.Equal("Hub.Functions.dll", function.ScriptFile);
            _ = function.Trigger; // Single(): exactly one trigger binding
        }
    }

    [Fact]
    public void The_api_catch_all_sorts_after_every_other_function_so_the_host_tries_it_last()
    {
        // The host orders functions by name (ordinal, ignoring case) and routes to the first whose template matches.
        var names = FunctionsMetadata.Functions.Select(f => f.Name).ToList();
        var catchAll = FunctionsMetadata.Functions.Single(f => f.TriggerType == "httpTrigger" && f.Trigger.GetProperty("route").GetString() == "api/{*rest}").Name;
        Assert.Equal(catchAll, names.Order(StringComparer.OrdinalIgnoreCase).Last());
    }

    [Fact]
    public void Http_routes_carry_their_api_path_because_host_json_has_no_route_prefix()
    {
        // The only route outside api/ is a catch-all (the dashboard at /) that must itself exclude api/, or
        // it would answer for API paths the explicit routes do not match.
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")));
        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.False(host.RootElement.TryGetProperty("customHandler", out _), "host.json still configures a custom handler");
        Assert.Equal(string.Empty, host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());

        var http = FunctionsMetadata.Functions.Where(f => f.TriggerType == "httpTrigger").ToList();
        Assert.NotEmpty(http);
        foreach (var function in http)
        {
            var route = function.Trigger.GetProperty("route").GetString();
            var underApi = route is not null && route.StartsWith("api/", StringComparison.Ordinal);
            var catchAllOutsideApi = route is not null && route.StartsWith("{*", StringComparison.Ordinal) && route.Contains("(?!api/", StringComparison.Ordinal);
            Assert.True(underApi || catchAllOutsideApi, $"{function.Name}: route '{route}' is neither under api/ nor a catch-all that excludes api/");
            Assert.All(function.Trigger.GetProperty("methods").EnumerateArray(), m => Assert.Contains(m.GetString()!.ToLowerInvariant(), HttpMethods));
        }
    }

    [Theory]
    [MemberData(nameof(Timers))]
    public void A_timers_schedule_is_an_app_setting_in_the_sample_and_in_Bicep_with_the_same_valid_default(string name)
    {
        var function = FunctionsMetadata.Functions.Single(f => f.Name == name);
        var setting = Assert.Single(FunctionsMetadata.SettingReferences(function.Schedule));
        Assert.Equal($"%{setting.Replace("__", ":", StringComparison.Ordinal)}%", function.Schedule);

        var sample = SampleSettings.Values().Where(v => v.Key == setting).Select(v => v.Value).ToList();
        Assert.True(sample.Count == 1, $"local.settings.sample.json has no {setting}");
        Assert.True(IntegrationSchedule.TryParse(sample[0], out _, out var error), $"{setting} = '{sample[0]}' is not six-field NCRONTAB: {error}");

        var bicep = Common.SingleOrDefault(s => s.Name == setting);
        Assert.True(bicep is not null, $"The app-settings block of functionapp.bicep has no {setting}");
        var bicepValue = BicepText.Literal(bicep.Value) ?? BicepText.ParameterDefault(FunctionApp, bicep.Value);
        Assert.Equal(sample[0], bicepValue);
    }

    [Fact]
    public void Every_function_the_README_table_names_exists_and_every_function_is_in_it()
    {
        var named = ReadmeFunctionNames();
        Assert.True(named.Count >= 10, "README.md's Functions table yielded only: " + string.Join(", ", named));

        var indexed = FunctionsMetadata.Functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = named.Where(n => !indexed.Contains(n)).ToList();
        Assert.True(unknown.Count == 0, "README.md's Functions table names functions the build does not index: " + string.Join(", ", unknown));
        var undocumented = indexed.Where(n => !named.Contains(n)).Order(StringComparer.Ordinal).ToList();
        Assert.True(undocumented.Count == 0, "Functions missing from README.md's Functions table: " + string.Join(", ", undocumented));
    }

    /// <summary>The function names in the "Functions" column of the table under README's <c>## Functions</c>: the backticked PascalCase words of that column.</summary>
    private static HashSet<string> ReadmeFunctionNames()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")).Replace("\r", string.Empty, StringComparison.Ordinal);
        var section = Regex.Match(readme, @"(?ms)^## Functions\n(?<body>.*?)(?=^## )").Groups["body"].Value;
        var rows = section.Split('\n').Where(l => l.StartsWith('|')).Select(Cells).ToList();
        Assert.True(rows.Count > 2, "No table under README.md's '## Functions'");
        var column = rows[0].FindIndex(c => c == "Functions" || c == "Function");
        Assert.True(column >= 0, "README.md's Functions table has no 'Functions' column: " + string.Join(" | ", rows[0]));
        return rows.Skip(2).Where(r => r.Count > column)
            .SelectMany(r => FunctionName().Matches(r[column]).Select(m => m.Groups["name"].Value))
            .ToHashSet(StringComparer.Ordinal);

        // Cells split on '|' that is not escaped (\|) and not inside a code span.
        static List<string> Cells(string line)
        {
            var cells = new List<string>();
            var current = new System.Text.StringBuilder();
            var inCode = false;
            for (var i = 1; i < line.Length; i++)
            {
                var c = line[i];
                if (c == '`')
                {
                    inCode = !inCode;
                }

                if (c == '|' && !inCode && line[i - 1] != '\\')
                {
                    cells.Add(current.ToString().Trim());
                    current.Clear();
                    continue;
                }

                current.Append(c);
            }

            return cells;
        }
    }

    [Fact]
    public void Every_function_Bicep_or_the_sample_disables_exists()
    {
        // AzureWebJobs.<Function>.Disabled is the host's switch per function: a misspelt name silently disables nothing.
        var indexed = FunctionsMetadata.Functions.Select(f => f.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var named = Regex.Matches(FunctionApp, @"AzureWebJobs\.(?<name>[A-Za-z0-9_-]+)\.Disabled").Select(m => m.Groups["name"].Value)
            .Concat(SampleSettings.Values().Select(v => Regex.Match(v.Key, @"^AzureWebJobs\.(?<name>[A-Za-z0-9_-]+)\.Disabled$")).Where(m => m.Success).Select(m => m.Groups["name"].Value));
        Assert.All(named, n => Assert.True(indexed.Contains(n), $"'{n}' is not a function of the build"));
    }

    [GeneratedRegex(@"`(?<name>[A-Z][A-Za-z0-9]*)`")]
    private static partial Regex FunctionName();
}
