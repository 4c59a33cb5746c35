using System.Text.Json;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Deployment.Tests.Support;

/// <summary>The <c>Values</c> of <c>local.settings.sample.json</c>, in file order (duplicates kept, so a test can catch them).</summary>
public static class SampleSettings
{
    /// <summary>The path of the sample.</summary>
    public static string Path => System.IO.Path.Combine(RepositoryRoot.Path, "local.settings.sample.json");

    /// <summary>Name and value of every entry.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Values()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()))
            .ToList();
    }
}
