using System.Reflection;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Deployment.Tests.Logging;

/// <summary>
/// Every <c>[LoggerMessage]</c> of every assembly under <c>src/</c> has its own EventId, so a log query by id
/// (Application Insights, the JSON console) finds one message. Ranges: Hub.Shared 1xxx, Hub.Functions 2xxx,
/// Hub.Core 3xxx and 5xxx, Hub.Pulsar 4xxx, Hub.Connectors 6xxx, Hub.Jobs 7xxx, Hub.Secrets 8xxx.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Every_logger_message_in_the_hub_has_an_event_id_of_its_own()
    {
        var messages = SourceAssemblies()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (Id: m.Attribute!.EventId, Name: $"{m.Method.DeclaringType!.Assembly.GetName().Name}: {m.Method.DeclaringType.FullName}.{m.Method.Name}"))
            .ToList();

        var duplicates = messages.GroupBy(m => m.Id).Where(g => g.Count() > 1)
            .Select(g => $"EventId {g.Key}: {string.Join(", ", g.Select(m => m.Name))}").ToList();
        var missing = messages.Where(m => m.Id < 0).Select(m => $"no EventId: {m.Name}").ToList();

        Assert.True(messages.Count > 50, $"only {messages.Count} logger messages found: is every src assembly loaded?");
        Assert.True(duplicates.Count == 0 && missing.Count == 0, string.Join(Environment.NewLine, duplicates.Concat(missing)));
    }

    /// <summary>Every project under <c>src/</c>, loaded by name: a new project this test cannot load fails it rather than going unchecked.</summary>
    private static IEnumerable<Assembly> SourceAssemblies() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "src"), "*.csproj", SearchOption.AllDirectories)
            // Not build output: the worker SDK generates obj/<Configuration>/<tfm>/WorkerExtensions/WorkerExtensions.csproj,
            // an assembly that lives in .azurefunctions/ and is not the hub's.
            .Where(path => !Path.GetRelativePath(RepositoryRoot.Path, path).Replace('\\', '/').Split('/').Any(part => part is "obj" or "bin"))
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)
            .Select(name => Assembly.Load(new AssemblyName(name!)));
}
