using IntegrationHub.TestDoubles.N8n;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationHub.Jobs.Tests.N8n;

/// <summary>The Jobs tests' collection around the one n8n of <see cref="N8nFixture"/> (Hub.Testing).</summary>
[CollectionDefinition(Name)]
public sealed class N8nServerGroup : ICollectionFixture<N8nFixture>
{
    public const string Name = "n8n";
}

/// <summary>The hub's n8n services over an <see cref="N8nFixture"/>.</summary>
public static class N8nFixtureServices
{
    /// <summary>The hub's DI container pointed at this n8n (<see cref="N8nFixture.Settings"/> with <paramref name="overrides"/>).</summary>
    public static ServiceProvider Services(this N8nFixture n8n, Dictionary<string, string?>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(n8n);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(n8n.Settings(overrides)).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddHubJobs().BuildServiceProvider(validateScopes: true);
    }
}
