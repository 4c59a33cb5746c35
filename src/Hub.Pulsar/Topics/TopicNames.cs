using IntegrationHub.Shared.Events;

namespace IntegrationHub.Pulsar.Topics;

/// <summary>
/// The hub's topic naming scheme, in one place.
/// </summary>
/// <remarks>
/// <para>An integration stream publishes, unless its configuration names another topic, to
/// <c>persistent://{Pulsar:Tenant}/{Pulsar:Namespace}/hub.{tenantId}.{connector}.{stream}</c>, every part lower-cased
/// and anything but <c>a-z 0-9 - _</c> replaced by <c>-</c>; for example tenant <c>acme</c>, connector <c>github</c>,
/// stream <c>issues</c> gives <c>persistent://public/default/hub.acme.github.issues</c>. One topic per stream keeps
/// per-key order cheap (one producer) and lets consumers subscribe to exactly what they want.</para>
/// <para>A configured topic may be short (<c>orders</c>, resolved into the configured tenant and namespace) or
/// fully qualified (<c>persistent://tenant/namespace/topic</c>). Only persistent topics are accepted: deduplication
/// and receipts mean nothing on non-persistent ones.</para>
/// </remarks>
public static class TopicNames
{
    private const string Persistent = "persistent://";

    /// <summary>The default short topic of an integration stream: <c>hub.{tenantId}.{connector}.{stream}</c>.</summary>
    public static string ForStream(string tenantId, string connector, string stream) => EventNaming.TopicForStream(tenantId, connector, stream);

    /// <summary>A stable producer name for an integration stream, so the broker's deduplication recognises re-sends across sessions.</summary>
    public static string ProducerFor(string tenantId, string integrationId, string stream) => EventNaming.ProducerFor(tenantId, integrationId, stream);

    /// <summary>Resolves a short or qualified name to <c>persistent://tenant/namespace/topic</c>.</summary>
    public static string Qualify(string topic, PulsarOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(options);
        if (topic.StartsWith(Persistent, StringComparison.Ordinal))
        {
            _ = Split(topic);
            return topic;
        }

        if (topic.Contains("://", StringComparison.Ordinal) || topic.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Topic '{topic}' is neither a short name nor persistent://tenant/namespace/topic.", nameof(topic));
        }

        return $"{Persistent}{options.Tenant}/{options.Namespace}/{topic}";
    }

    /// <summary>The WebSocket path part of a qualified topic: <c>persistent/{tenant}/{namespace}/{topic}</c>, each part escaped.</summary>
    public static string ToPath(string qualifiedTopic)
    {
        var (tenant, ns, local) = Split(qualifiedTopic);
        return $"persistent/{Uri.EscapeDataString(tenant)}/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(local)}";
    }

    private static (string Tenant, string Namespace, string Topic) Split(string qualifiedTopic)
    {
        if (!qualifiedTopic.StartsWith(Persistent, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Topic '{qualifiedTopic}' is not persistent://tenant/namespace/topic.", nameof(qualifiedTopic));
        }

        var parts = qualifiedTopic[Persistent.Length..].Split('/');
        if (parts.Length != 3 || parts.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"Topic '{qualifiedTopic}' is not persistent://tenant/namespace/topic.", nameof(qualifiedTopic));
        }

        return (parts[0], parts[1], parts[2]);
    }
}
