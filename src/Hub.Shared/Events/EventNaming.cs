using System.Text;

namespace IntegrationHub.Shared.Events;

/// <summary>
/// The documented naming scheme of topics and producers, shared by every sink so the Cosmos event log
/// and Pulsar agree on where an integration's events go.
/// </summary>
/// <remarks>
/// Default topic of an integration stream: <c>hub.{tenant}.{connector}.{stream}</c> (Pulsar qualifies it
/// as <c>persistent://{Pulsar__Tenant}/{Pulsar__Namespace}/...</c>). Producer of an integration stream:
/// <c>hub-{tenant}-{integration}-{stream}</c>, stable across runs and restarts so broker deduplication
/// recognises re-sends. Parts are lower-cased; characters other than letters, digits, '-' and '_' become '-'.
/// </remarks>
public static class EventNaming
{
    /// <summary>The default topic of a tenant's connector stream.</summary>
    public static string TopicForStream(string tenantId, string connector, string stream) =>
        $"hub.{Part(tenantId)}.{Part(connector)}.{Part(stream)}";

    /// <summary>The stable producer name of an integration stream.</summary>
    public static string ProducerFor(string tenantId, string integrationId, string stream) =>
        $"hub-{Part(tenantId)}-{Part(integrationId)}-{Part(stream)}";

    private static string Part(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var builder = new StringBuilder(value.Length);
        foreach (var c in value.ToLowerInvariant())
        {
            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' ? c : '-');
        }

        return builder.ToString();
    }
}
