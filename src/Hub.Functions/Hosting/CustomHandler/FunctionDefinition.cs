using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationHub.Functions.Hosting.CustomHandler;

/// <summary>One binding of a <c>function.json</c>, with the members the hub reads.</summary>
public sealed record FunctionBinding
{
    /// <summary><c>httpTrigger</c>, <c>http</c>, <c>timerTrigger</c>, ...</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = string.Empty;

    /// <summary><c>in</c> or <c>out</c>.</summary>
    [JsonPropertyName("direction")]
    public string Direction { get; init; } = string.Empty;

    /// <summary>The binding name: the key of its value in an invocation's <c>Data</c>.</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = string.Empty;

    /// <summary>HTTP triggers: the route template below the host's route prefix.</summary>
    [JsonPropertyName("route")]
    public string? Route { get; init; }

    /// <summary>HTTP triggers: the methods, lower case.</summary>
    [JsonPropertyName("methods")]
    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>HTTP triggers: <c>anonymous</c>, <c>function</c> or <c>admin</c>.</summary>
    [JsonPropertyName("authLevel")]
    public string? AuthLevel { get; init; }

    /// <summary>Timer triggers: the NCRONTAB schedule.</summary>
    [JsonPropertyName("schedule")]
    public string? Schedule { get; init; }

    /// <summary>Timer triggers: also fire once when the app starts.</summary>
    [JsonPropertyName("runOnStartup")]
    public bool RunOnStartup { get; init; }
}

/// <summary>A function as the Functions host sees it: its folder name and its <c>function.json</c>.</summary>
public sealed record FunctionDefinition(string Name, IReadOnlyList<FunctionBinding> Bindings)
{
    /// <summary>The trigger binding (the one <c>in</c> binding whose type ends in <c>Trigger</c>).</summary>
    public FunctionBinding Trigger => Bindings.Single(b => b.Direction == "in" && b.Type.EndsWith("Trigger", StringComparison.Ordinal));

    /// <summary>Whether this is an HTTP-triggered function.</summary>
    public bool IsHttp => Trigger.Type == "httpTrigger";

    /// <summary>Whether this is a timer-triggered function.</summary>
    public bool IsTimer => Trigger.Type == "timerTrigger";

    /// <summary>Reads every <c>*/function.json</c> below <paramref name="root"/>, ordered by name.</summary>
    public static IReadOnlyList<FunctionDefinition> LoadAll(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"No function folders at '{root}'.");
        }

        return Directory.EnumerateDirectories(root)
            .Select(dir => (dir, file: Path.Combine(dir, "function.json")))
            .Where(x => File.Exists(x.file))
            .Select(x => Load(Path.GetFileName(x.dir), x.file))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static FunctionDefinition Load(string name, string file)
    {
        using var stream = File.OpenRead(file);
        var document = JsonSerializer.Deserialize<FunctionJson>(stream)
            ?? throw new InvalidDataException($"{file} is empty.");
        return new FunctionDefinition(name, document.Bindings ?? []);
    }

    private sealed record FunctionJson([property: JsonPropertyName("bindings")] IReadOnlyList<FunctionBinding>? Bindings);
}
