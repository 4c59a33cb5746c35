using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IntegrationHub.Deployment.Tests.Support;

/// <summary>
/// The functions the Functions host indexes, read from the <c>functions.metadata</c> that the worker SDK's
/// source generator writes into Hub.Functions' build output (the same file <c>dotnet publish</c> puts in the
/// package). There is no function.json in an isolated worker app: this file is the function list.
/// </summary>
public static partial class FunctionsMetadata
{
    /// <summary>Hub.Functions' build output folder (bin/&lt;Configuration&gt;/&lt;TargetFramework&gt;), passed in by the test project file.</summary>
    public static string BuildOutput { get; } = typeof(FunctionsMetadata).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "HubFunctionsOutput").Value!;

    /// <summary>Every function of the build output's <c>functions.metadata</c>.</summary>
    public static IReadOnlyList<FunctionEntry> Functions { get; } = Read(Path.Combine(BuildOutput, "functions.metadata"));

    /// <summary>Parses a <c>functions.metadata</c> file: a JSON array of <c>{ name, scriptFile, entryPoint, language, bindings: [{ name, direction, type, ... }] }</c>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (Hub.Functions not built).</exception>
    public static IReadOnlyList<FunctionEntry> Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().Select(f => new FunctionEntry(
            f.GetProperty("name").GetString()!,
            f.GetProperty("scriptFile").GetString()!,
            f.GetProperty("language").GetString()!,
            f.GetProperty("bindings").EnumerateArray().Select(b => b.Clone()).ToList())).ToList();
    }

    /// <summary>The app-setting names (<c>Timers__ScheduleSyncs</c>) of the <c>%Timers:ScheduleSyncs%</c> expressions in a binding value.</summary>
    public static IEnumerable<string> SettingReferences(string? value) =>
        value is null ? [] : SettingExpression().Matches(value).Select(m => m.Groups["name"].Value.Replace(":", "__", StringComparison.Ordinal));

    /// <summary>Every app setting some binding of some function resolves (<c>%Name%</c> expressions).</summary>
    public static IReadOnlyList<string> ReferencedSettings { get; } = Functions
        .SelectMany(f => f.Bindings)
        .SelectMany(b => b.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).SelectMany(p => SettingReferences(p.Value.GetString())))
        .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"%(?<name>[A-Za-z0-9_:.\-]+)%")]
    private static partial Regex SettingExpression();
}

/// <summary>One function of <c>functions.metadata</c>.</summary>
/// <param name="Name">The function name (<c>[Function("...")]</c>): what the host, the portal and <c>/admin/functions/{name}</c> use.</param>
/// <param name="ScriptFile">The worker assembly file, relative to the app root.</param>
/// <param name="Language">Always <c>dotnet-isolated</c> for this app.</param>
/// <param name="Bindings">The bindings as written, the trigger among them.</param>
public sealed record FunctionEntry(string Name, string ScriptFile, string Language, IReadOnlyList<JsonElement> Bindings)
{
    /// <summary>The binding whose type ends with <c>Trigger</c>.</summary>
    public JsonElement Trigger => Bindings.Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    /// <summary>The trigger type (<c>httpTrigger</c>, <c>timerTrigger</c>, ...).</summary>
    public string TriggerType => Trigger.GetProperty("type").GetString()!;

    /// <summary>A timer trigger's schedule as written (<c>%Timers:ScheduleSyncs%</c>), or null.</summary>
    public string? Schedule => TriggerType == "timerTrigger" && Trigger.TryGetProperty("schedule", out var s) ? s.GetString() : null;
}
