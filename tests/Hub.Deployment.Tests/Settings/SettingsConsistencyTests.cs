using IntegrationHub.Deployment.Tests.Support;

namespace IntegrationHub.Deployment.Tests.Settings;

/// <summary>
/// Every setting the code reads is in <c>local.settings.sample.json</c> and in the Function App's app
/// settings in Bicep, and nothing there is unused. What the code reads comes from the hub's own
/// registrations (options sections) and from the build's <c>functions.metadata</c> (<c>%Timers:Name%</c>
/// binding expressions the host resolves), so a new section or timer fails these tests until the sample
/// and Bicep carry it.
/// </summary>
public sealed class SettingsConsistencyTests
{
    private static readonly string FunctionApp = BicepText.Read("modules/functionapp.bicep");

    // Every plan gets these; the Flex Consumption app gets nothing else.
    private static readonly IReadOnlyList<BicepSetting> Common = BicepText.AppSettings(FunctionApp);

    // Elastic Premium adds these.
    private static readonly IReadOnlyList<BicepSetting> Premium = BicepText.AppSettings(FunctionApp, "premium");

    [Fact]
    public void The_code_binds_settings_at_all()
    {
        // Guards the derivation itself: if it found nothing, every other test here would pass vacuously.
        Assert.Contains(HubCode.Settings, s => s.Name == "Cosmos__Endpoint");
        Assert.Contains(HubCode.Settings, s => s.Name == "Auth__AdminKey");
        Assert.True(HubCode.Sections.Count >= 5, string.Join(", ", HubCode.Sections.Select(s => s.Section)));
    }

    [Fact]
    public void Every_bound_setting_is_in_local_settings_sample()
    {
        var names = SampleSettings.Values().Select(v => v.Key).ToList();
        var missing = HubCode.Settings.Where(s => !names.Any(s.IsSetBy)).Select(s => s.Name).ToList();
        Assert.True(missing.Count == 0, "Add to local.settings.sample.json: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_setting_a_binding_expression_names_is_in_the_sample_and_in_Bicep()
    {
        Assert.NotEmpty(FunctionsMetadata.ReferencedSettings);
        var sample = SampleSettings.Values().Select(v => v.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var bicep = Common.Select(b => b.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.True(FunctionsMetadata.ReferencedSettings.All(sample.Contains), "Add to local.settings.sample.json: " + string.Join(", ", FunctionsMetadata.ReferencedSettings.Where(s => !sample.Contains(s))));
        Assert.True(FunctionsMetadata.ReferencedSettings.All(bicep.Contains), "Add to the app-settings block of functionapp.bicep: " + string.Join(", ", FunctionsMetadata.ReferencedSettings.Where(s => !bicep.Contains(s))));
    }

    [Fact]
    public void Every_setting_in_local_settings_sample_is_bound_or_a_platform_setting()
    {
        var unused = SampleSettings.Values().Select(v => v.Key).Where(IsUnused).ToList();
        Assert.True(unused.Count == 0, "Not read by the hub (remove, or bind it): " + string.Join(", ", unused));
    }

    [Fact]
    public void Every_bound_setting_is_a_Function_App_app_setting_on_every_plan()
    {
        var missing = HubCode.Settings.Where(s => !Common.Any(b => s.IsSetBy(b.Name))).Select(s => s.Name).ToList();
        Assert.True(missing.Count == 0, "Add to the app-settings block of infra/bicep/modules/functionapp.bicep: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_Bicep_app_setting_is_bound_or_a_platform_setting()
    {
        var unused = Common.Concat(Premium).Select(b => b.Name).Where(IsUnused).ToList();
        Assert.True(unused.Count == 0, "Not read by the hub (remove, or bind it): " + string.Join(", ", unused));
    }

    [Fact]
    public void No_setting_is_listed_twice()
    {
        static IEnumerable<string> Duplicates(IEnumerable<string> names) =>
            names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key);

        Assert.Empty(Duplicates(SampleSettings.Values().Select(v => v.Key)));
        Assert.Empty(Duplicates(Common.Concat(Premium).Select(b => b.Name)));
    }

    [Fact]
    public void The_hub_starts_with_the_sample_settings()
    {
        var values = SampleSettings.Values();
        var environment = values.Single(v => v.Key == "AZURE_FUNCTIONS_ENVIRONMENT").Value;
        Assert.Empty(OptionsCheck.Failures(values, environment));
    }

    [Fact]
    public void The_hub_starts_with_the_Bicep_app_settings()
    {
        // Literal values are used as written; parameters by their Bicep default; values only known at deployment
        // (endpoints, Key Vault references, identity ids) by a stand-in of the right shape.
        var secretStandIn = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var settings = new List<KeyValuePair<string, string>>();
        foreach (var setting in Common)
        {
            var value = BicepText.Literal(setting.Value)
                ?? (IsIdentifier(setting.Value) ? BicepText.ParameterDefault(FunctionApp, setting.Value) : null)
                ?? StandIn(setting, secretStandIn);
            settings.Add(new(setting.Name, value));
        }

        var environment = settings.Single(s => s.Key == "AZURE_FUNCTIONS_ENVIRONMENT").Value;
        Assert.Equal("Production", environment);
        Assert.Empty(OptionsCheck.Failures(settings, environment));
    }

    [Fact]
    public void Flex_Consumption_gets_no_setting_it_rejects_and_both_plans_run_dotnet_isolated_on_the_projects_NET()
    {
        // Flex Consumption sets the runtime in functionAppConfig and rejects these as app settings (Microsoft Learn,
        // "App settings reference for Azure Functions", Flex Consumption plan deprecations).
        string[] rejectedByFlex = ["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_NODE_DEFAULT_VERSION", "SCM_DO_BUILD_DURING_DEPLOYMENT", "AzureWebJobsStorage"];
        Assert.Empty(Common.Select(s => s.Name).Intersect(rejectedByFlex));

        // The .NET version the platform runs is the one the project targets (Directory.Build.props: net10.0 -> 10.0).
        var targetFramework = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Combine(IntegrationHub.TestDoubles.Cosmos.RepositoryRoot.Path, "Directory.Build.props")), "<TargetFramework>net(?<v>[0-9.]+)</TargetFramework>").Groups["v"].Value;
        Assert.Equal("10.0", targetFramework);
        Assert.Equal(targetFramework, BicepText.ParameterDefault(FunctionApp, "dotnetVersion"));

        var text = FunctionApp.Replace("\r", string.Empty, StringComparison.Ordinal);
        Assert.Contains("runtime: {\n        name: 'dotnet-isolated'\n        version: dotnetVersion\n      }", text, StringComparison.Ordinal);
        Assert.Contains("linuxFxVersion: 'DOTNET-ISOLATED|${dotnetVersion}'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("'custom'", text, StringComparison.Ordinal);

        Assert.Equal("'dotnet-isolated'", Premium.Single(s => s.Name == "FUNCTIONS_WORKER_RUNTIME").Value);
        Assert.Equal("'~4'", Premium.Single(s => s.Name == "FUNCTIONS_EXTENSION_VERSION").Value);
        Assert.Equal("'1'", Premium.Single(s => s.Name == "WEBSITE_RUN_FROM_PACKAGE").Value);
        Assert.Equal("dotnet-isolated", SampleSettings.Values().Single(v => v.Key == "FUNCTIONS_WORKER_RUNTIME").Value);
    }

    [Fact]
    public void No_custom_handler_setting_is_left()
    {
        // The custom handler's Hosting__* section is gone with HostingOptions; the isolated worker is started by the host.
        var names = SampleSettings.Values().Select(v => v.Key).Concat(Common.Concat(Premium).Select(b => b.Name)).ToList();
        Assert.DoesNotContain(names, n => n.StartsWith("Hosting__", StringComparison.OrdinalIgnoreCase) || n.StartsWith("FUNCTIONS_CUSTOMHANDLER", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Storage_and_Cosmos_DB_are_reached_with_the_managed_identity()
    {
        Assert.Equal("'managedidentity'", Common.Single(s => s.Name == "AzureWebJobsStorage__credential").Value);
        Assert.Equal("identityClientId", Common.Single(s => s.Name == "AzureWebJobsStorage__clientId").Value);
        Assert.Equal("identityClientId", Common.Single(s => s.Name == "AZURE_CLIENT_ID").Value);

        // No key: DefaultAzureCredential with the user-assigned identity; the account has local auth off.
        Assert.Equal("''", Common.Single(s => s.Name == "Cosmos__Key").Value);
        Assert.Contains("disableLocalAuth: true", BicepText.Read("modules/cosmos.bicep"), StringComparison.Ordinal);

        // Data-plane roles cannot create containers: Bicep owns them and the hub must not try.
        Assert.Equal("'false'", Common.Single(s => s.Name == "Cosmos__CreateIfMissing").Value);
    }

    [Fact]
    public void Secrets_reach_the_app_only_as_Key_Vault_references()
    {
        var main = BicepText.Read("main.bicep");
        var secretSettings = HubCode.Settings.Where(s => IsSecretName(s.Name) && s.Name != "Cosmos__Key").Select(s => s.Name).ToList();
        Assert.Contains("Auth__AdminKey", secretSettings);
        foreach (var name in secretSettings)
        {
            var value = Common.Single(s => s.Name == name).Value;
            Assert.True(value.EndsWith("Reference", StringComparison.Ordinal), $"{name} = {value}: a secret must come from a Key Vault reference parameter.");

            // main.bicep passes that parameter as a Key Vault reference (or empty when the secret was not given).
            var passed = main.Split('\n').Select(l => l.Trim()).SingleOrDefault(l => l.StartsWith(value + ":", StringComparison.Ordinal));
            Assert.True(passed is not null, $"main.bicep does not pass {value}.");
            Assert.Contains("@Microsoft.KeyVault(SecretUri=", passed, StringComparison.Ordinal);
        }
    }

    private static bool IsUnused(string name) =>
        !PlatformSettings.IsAllowed(name) && !HubCode.Settings.Any(s => s.IsSetBy(name))
        && !FunctionsMetadata.ReferencedSettings.Contains(name, StringComparer.OrdinalIgnoreCase);

    private static bool IsSecretName(string name) =>
        name.EndsWith("Key", StringComparison.Ordinal) || name.EndsWith("Token", StringComparison.Ordinal)
        || name.EndsWith("SecretId", StringComparison.Ordinal) || name.EndsWith("Password", StringComparison.Ordinal);

    private static bool IsIdentifier(string expression) => expression.All(c => char.IsLetterOrDigit(c) || c == '_');

    private static string StandIn(BicepSetting setting, string secret)
    {
        if (setting.Value.EndsWith("Reference", StringComparison.Ordinal))
        {
            return secret;
        }

        if (setting.Name.EndsWith("Endpoint", StringComparison.Ordinal) || setting.Name.EndsWith("Url", StringComparison.Ordinal))
        {
            return "https://stand-in.example.com:443/";
        }

        // string(bool) and other expressions: the bound property's default, written the way the binder reads it.
        var bound = HubCode.Settings.FirstOrDefault(s => s.Name == setting.Name);
        if (bound is not null && bound.Type != typeof(string))
        {
            return bound.Type == typeof(bool) ? "false" : "1";
        }

        return "stand-in";
    }
}
