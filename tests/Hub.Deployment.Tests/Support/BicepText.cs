using System.Text.RegularExpressions;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Deployment.Tests.Support;

/// <summary>
/// Reads the parts of the Bicep files the tests compare with the code. No Bicep CLI exists here, so the
/// files keep a strict, line-oriented shape for these parts (one app setting or container per line) and
/// any line inside a marked block that does not have that shape fails the tests rather than being skipped.
/// </summary>
public static partial class BicepText
{
    /// <summary>The folder of the Bicep files.</summary>
    public static string Folder => Path.Combine(RepositoryRoot.Path, "infra", "bicep");

    /// <summary>The text of a Bicep file below <see cref="Folder"/>.</summary>
    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Folder, relativePath));

    /// <summary>The app settings between <c>// app-settings:begin{suffix}</c> and <c>// app-settings:end{suffix}</c>.</summary>
    public static IReadOnlyList<BicepSetting> AppSettings(string text, string block = "")
    {
        var begin = ("// app-settings:begin " + block).TrimEnd();
        var end = ("// app-settings:end " + block).TrimEnd();
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var start = lines.FindIndex(l => l.Trim() == begin);
        var stop = lines.FindIndex(start + 1, l => l.Trim() == end);
        if (start < 0 || stop < 0)
        {
            throw new InvalidDataException($"No '{begin}' ... '{end}' block.");
        }

        var settings = new List<BicepSetting>();
        foreach (var line in lines.Skip(start + 1).Take(stop - start - 1).Select(l => l.Trim()))
        {
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            var match = SettingLine().Match(line);
            if (!match.Success)
            {
                throw new InvalidDataException($"App setting line not in the form {{ name: '...', value: ... }}: {line}");
            }

            settings.Add(new BicepSetting(match.Groups["name"].Value, match.Groups["value"].Value.Trim()));
        }

        return settings;
    }

    /// <summary>The entries of <c>var containers = [ ... ]</c>: one <c>{ name, partitionKeyPath, defaultTtl, unindexed }</c> per line.</summary>
    public static IReadOnlyList<ContainerDefinitionLine> Containers(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).ToList();
        var start = lines.FindIndex(l => l == "var containers = [");
        var stop = lines.FindIndex(start + 1, l => l == "]");
        if (start < 0 || stop < 0)
        {
            throw new InvalidDataException("No 'var containers = [' ... ']' block.");
        }

        var containers = new List<ContainerDefinitionLine>();
        foreach (var line in lines.Skip(start + 1).Take(stop - start - 1))
        {
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            var match = ContainerLine().Match(line);
            if (!match.Success)
            {
                throw new InvalidDataException($"Container line not in the form {{ name: '...', partitionKeyPath: '...', defaultTtl: null|N, unindexed: [ '...' ] }}: {line}");
            }

            var ttl = match.Groups["ttl"].Value;
            var unindexed = match.Groups["unindexed"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => Literal(p) ?? throw new InvalidDataException($"Not a string literal in unindexed: {p}")).ToList();
            containers.Add(new ContainerDefinitionLine(match.Groups["name"].Value, match.Groups["pk"].Value, ttl == "null" ? null : int.Parse(ttl, System.Globalization.CultureInfo.InvariantCulture), unindexed));
        }

        return containers;
    }

    /// <summary>The literal default of <c>param {name} type = 'value'</c> (strings, numbers, booleans), or null.</summary>
    public static string? ParameterDefault(string text, string name)
    {
        var match = Regex.Match(text, $@"^\s*param\s+{Regex.Escape(name)}\s+\w+\s*=\s*(?<value>'[^']*'|-?\d+|true|false)\s*$", RegexOptions.Multiline);
        return match.Success ? Unquote(match.Groups["value"].Value) : null;
    }

    /// <summary>A Bicep string literal's text, or null when <paramref name="expression"/> is not a plain literal.</summary>
    public static string? Literal(string expression) =>
        expression.Length >= 2 && expression[0] == '\'' && expression[^1] == '\'' && !expression.Contains("${", StringComparison.Ordinal)
            ? expression[1..^1]
            : null;

    private static string Unquote(string value) => value.StartsWith('\'') ? value[1..^1] : value;

    [GeneratedRegex(@"^\{\s*name:\s*'(?<name>[A-Za-z0-9_]+)'\s*,\s*value:\s*(?<value>.+?)\s*\}$")]
    private static partial Regex SettingLine();

    [GeneratedRegex(@"^\{\s*name:\s*'(?<name>[^']+)'\s*,\s*partitionKeyPath:\s*'(?<pk>[^']+)'\s*,\s*defaultTtl:\s*(?<ttl>null|-?\d+)\s*,\s*unindexed:\s*\[(?<unindexed>[^\]]*)\]\s*\}$")]
    private static partial Regex ContainerLine();
}

/// <summary>An app setting as written in Bicep.</summary>
/// <param name="Name">The setting name.</param>
/// <param name="Value">The Bicep expression of its value (a literal keeps its quotes).</param>
public sealed record BicepSetting(string Name, string Value);

/// <summary>A container as written in Bicep; <paramref name="Unindexed"/>: the paths left out of its index.</summary>
public sealed record ContainerDefinitionLine(string Name, string PartitionKeyPath, int? DefaultTtl, IReadOnlyList<string> Unindexed);
