using System.Collections;
using System.Reflection;
using IntegrationHub.Functions.Hosting;
using IntegrationHub.Shared.Configuration;
using IntegrationHub.Shared.Cosmos;

namespace IntegrationHub.Deployment.Tests.Support;

/// <summary>
/// What the code uses, derived from the hub's own registrations (<see cref="HubServiceCollectionExtensions.AddHub(IServiceCollection, IConfiguration)"/>):
/// every options-bound setting and every Cosmos container. A feature that adds a section or a container
/// changes these lists without touching the tests, and the consistency tests then name what is missing.
/// </summary>
public static class HubCode
{
    /// <summary>Every section the hub binds.</summary>
    public static IReadOnlyList<BoundSettingsSection> Sections { get; } = Resolve<BoundSettingsSection>();

    /// <summary>Every container the hub registers, by name.</summary>
    public static IReadOnlyList<ContainerDefinition> Containers { get; } = Resolve<ContainerDefinition>()
        .GroupBy(c => c.Name, StringComparer.Ordinal).Select(g => g.Last()).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

    /// <summary>Every app setting the code binds, including nested option classes (<c>Connectors__Network__MaxRedirects</c>).</summary>
    public static IReadOnlyList<BoundSetting> Settings { get; } = Sections
        .SelectMany(s => Expand(s.Section, s.OptionsType, s.OptionsType, depth: 0))
        .GroupBy(s => s.Name, StringComparer.Ordinal).Select(g => g.First())
        .OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    /// <summary>Builds the hub's service collection (no host, no network) and resolves every <typeparamref name="T"/>.</summary>
    private static List<T> Resolve<T>()
        where T : notnull
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddHub(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetServices<T>().ToList();
    }

    private static IEnumerable<BoundSetting> Expand(string prefix, Type type, Type optionsType, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var name = $"{prefix}__{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var writable = property.CanWrite && property.GetSetMethod() is not null;
            if (IsScalar(propertyType))
            {
                if (writable)
                {
                    yield return new BoundSetting(name, propertyType, optionsType, IsCollection: false);
                }
            }
            else if (typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                // The binder fills a collection even through a getter; its app settings are Name__0, Name__1, ...
                yield return new BoundSetting(name, propertyType, optionsType, IsCollection: true);
            }
            else if (depth < 4 && propertyType.IsClass)
            {
                // A nested options object: the binder fills it through its getter or setter.
                foreach (var nested in Expand(name, propertyType, optionsType, depth + 1))
                {
                    yield return nested;
                }
            }
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);
}

/// <summary>An app setting the code binds.</summary>
/// <param name="Name">The app-setting name, e.g. <c>Cosmos__Endpoint</c>.</param>
/// <param name="Type">The property type it binds to.</param>
/// <param name="OptionsType">The options class it belongs to.</param>
/// <param name="IsCollection">A collection: set as <c>Name__0</c>, <c>Name__1</c>, ... (or left out for empty).</param>
public sealed record BoundSetting(string Name, Type Type, Type OptionsType, bool IsCollection)
{
    /// <summary>Whether an app setting named <paramref name="setting"/> configures this one.</summary>
    public bool IsSetBy(string setting) =>
        string.Equals(setting, Name, StringComparison.OrdinalIgnoreCase)
        || (IsCollection && setting.StartsWith(Name + "__", StringComparison.OrdinalIgnoreCase));
}
