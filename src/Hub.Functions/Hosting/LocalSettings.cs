using System.Text.Json;

namespace IntegrationHub.Functions.Hosting;

/// <summary>
/// Standalone runs read <c>local.settings.json</c> the way <c>func start</c> does: its <c>Values</c>
/// become configuration (<c>Cosmos__Endpoint</c> is <c>Cosmos:Endpoint</c>), below environment
/// variables and command-line arguments, so one file configures both ways of running locally.
/// </summary>
internal static class LocalSettings
{
    public static IConfigurationBuilder AddLocalSettings(this IConfigurationBuilder configuration, string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return configuration;
        }

        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            return configuration;
        }

        var settings = values.EnumerateObject()
            .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return configuration.AddInMemoryCollection(settings);
    }

    /// <summary>The file to read: <c>Hosting:LocalSettingsPath</c>, else <c>local.settings.json</c> in the working directory or the nearest parent that has one.</summary>
    public static string? Locate(IConfiguration configuration)
    {
        if (configuration["Hosting:LocalSettingsPath"] is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "local.settings.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
