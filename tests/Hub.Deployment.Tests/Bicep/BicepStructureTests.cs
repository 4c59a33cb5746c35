using System.Text.RegularExpressions;
using IntegrationHub.Deployment.Tests.Support;

namespace IntegrationHub.Deployment.Tests.Bicep;

/// <summary>
/// What <c>bicep build</c> would reject, checked without the CLI (it cannot be installed here): modules
/// exist, every parameter main.bicep passes is declared by the module and every required one is passed,
/// main.bicepparam sets only declared parameters, and secrets are <c>@secure()</c> and never committed.
/// </summary>
public sealed partial class BicepStructureTests
{
    private static readonly string Main = BicepText.Read("main.bicep").Replace("\r", string.Empty, StringComparison.Ordinal);

    public static TheoryData<string> Modules()
    {
        var data = new TheoryData<string>();
        foreach (Match module in ModuleDeclaration().Matches(Main))
        {
            data.Add(module.Groups["path"].Value);
        }

        return data;
    }

    [Fact]
    public void Main_uses_every_module_file()
    {
        var used = ModuleDeclaration().Matches(Main).Select(m => m.Groups["path"].Value).Order(StringComparer.Ordinal).ToList();
        var files = Directory.EnumerateFiles(Path.Combine(BicepText.Folder, "modules"), "*.bicep").Select(f => "modules/" + Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, used);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Module_parameters_passed_and_declared_agree(string path)
    {
        var module = BicepText.Read(path).Replace("\r", string.Empty, StringComparison.Ordinal);
        var declared = Parameters(module);
        var passed = PassedParameters(path);

        var unknown = passed.Where(p => !declared.ContainsKey(p)).ToList();
        var missing = declared.Where(d => d.Value.Required && !passed.Contains(d.Key)).Select(d => d.Key).ToList();
        Assert.True(unknown.Count == 0, $"main.bicep passes parameters {path} does not declare: {string.Join(", ", unknown)}");
        Assert.True(missing.Count == 0, $"main.bicep does not pass required parameters of {path}: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Module_outputs_main_reads_exist(string path)
    {
        var module = BicepText.Read(path);
        var symbol = ModuleDeclaration().Matches(Main).Single(m => m.Groups["path"].Value == path).Groups["symbol"].Value;
        var outputs = Regex.Matches(module, @"^output\s+(\w+)\s", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var read = Regex.Matches(Main, $@"\b{symbol}\.outputs\.(\w+)").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(read);
        Assert.All(read, o => Assert.True(outputs.Contains(o), $"{path} has no output '{o}'"));
    }

    [Fact]
    public void The_parameters_file_sets_only_declared_parameters_and_every_required_one()
    {
        var file = BicepText.Read("main.bicepparam");
        Assert.Contains("using './main.bicep'", file, StringComparison.Ordinal);
        var declared = Parameters(Main);
        var set = Regex.Matches(file, @"^param\s+(\w+)\s*=", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.All(set, p => Assert.True(declared.ContainsKey(p), $"main.bicepparam sets '{p}', which main.bicep does not declare"));
        Assert.All(declared.Where(d => d.Value.Required), d => Assert.Contains(d.Key, set));
    }

    [Fact]
    public void Secrets_are_secure_parameters_without_defaults_and_come_from_the_environment()
    {
        var declared = Parameters(Main);
        string[] secrets = ["adminKey", "localSecretKey", "vaultToken", "vaultSecretId", "pulsarToken", "n8nApiKey", "livyPassword", "livyToken"];
        var file = BicepText.Read("main.bicepparam");
        foreach (var secret in secrets)
        {
            Assert.True(declared.TryGetValue(secret, out var parameter), $"main.bicep has no parameter '{secret}'");
            Assert.True(parameter.Secure, $"'{secret}' must be @secure() so it is kept out of the deployment history");
            Assert.True(parameter.Default is null or "''", $"'{secret}' must not have a default value");
            Assert.Matches($@"(?m)^param\s+{secret}\s*=\s*readEnvironmentVariable\('HUB_[A-Z0-9_]+'(, '')?\)\s*$", file);
        }

        // No output carries a secret or a Key Vault reference.
        Assert.DoesNotMatch(@"(?m)^output\s+\w+\s+\w+\s*=.*(Key|Token|Secret|Password)\b", Main);
    }

    private static HashSet<string> PassedParameters(string path)
    {
        var lines = Main.Split('\n');
        var start = Array.FindIndex(lines, l => l.Contains($"'{path}' = {{", StringComparison.Ordinal));
        var paramsLine = Array.FindIndex(lines, start, l => l.Trim() == "params: {");
        var passed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = paramsLine + 1; i < lines.Length && lines[i] != "  }"; i++)
        {
            // Only the keys directly under params (four spaces in), not the members of an object value.
            var match = Regex.Match(lines[i], @"^    (\w+):");
            if (match.Success)
            {
                passed.Add(match.Groups[1].Value);
            }
        }

        return passed;
    }

    private static Dictionary<string, BicepParameter> Parameters(string text)
    {
        var lines = text.Split('\n');
        var parameters = new Dictionary<string, BicepParameter>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var match = ParameterDeclaration().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            // Decorators are on the lines right above the declaration.
            var secure = false;
            for (var j = i - 1; j >= 0 && (lines[j].StartsWith('@') || lines[j].StartsWith("#disable", StringComparison.Ordinal)); j--)
            {
                secure |= lines[j].StartsWith("@secure()", StringComparison.Ordinal);
            }

            var defaultValue = match.Groups["default"].Success ? match.Groups["default"].Value.Trim() : null;
            parameters[match.Groups["name"].Value] = new BicepParameter(defaultValue is null, secure, defaultValue);
        }

        return parameters;
    }

    private sealed record BicepParameter(bool Required, bool Secure, string? Default);

    [GeneratedRegex(@"^module\s+(?<symbol>\w+)\s+'(?<path>[^']+)'\s*=\s*\{", RegexOptions.Multiline)]
    private static partial Regex ModuleDeclaration();

    [GeneratedRegex(@"^param\s+(?<name>\w+)\s+\w+(\s*=\s*(?<default>.+))?$")]
    private static partial Regex ParameterDeclaration();
}
