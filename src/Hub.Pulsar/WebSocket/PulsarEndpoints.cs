using System.Globalization;
using System.Text;
using IntegrationHub.Pulsar.Topics;

namespace IntegrationHub.Pulsar.WebSocket;

/// <summary>
/// The WebSocket API's endpoint URLs: <c>/ws/v2/producer/persistent/{tenant}/{namespace}/{topic}</c> and
/// <c>/ws/v2/consumer/persistent/{tenant}/{namespace}/{topic}/{subscription}</c>, with their documented query parameters.
/// The token is never put in a URL (it travels in the <c>Authorization</c> header), so URLs are safe to log.
/// </summary>
internal static class PulsarEndpoints
{
    /// <summary>The producer endpoint for one session.</summary>
    /// <param name="options">Service URL, send timeout and pending limit.</param>
    /// <param name="qualifiedTopic"><c>persistent://tenant/namespace/topic</c>.</param>
    /// <param name="producerName">Stable name; the broker allows one live producer per name and topic and deduplicates by it.</param>
    /// <param name="initialSequenceId">The proxy's producer numbers this session's messages from <c>initialSequenceId + 1</c>; null lets the broker's last persisted sequence id for the name decide.</param>
    public static Uri Producer(PulsarOptions options, string qualifiedTopic, string? producerName, long? initialSequenceId)
    {
        var query = new List<(string, string)>
        {
            // Infinite on the proxy's producer, as Pulsar's deduplication guide recommends: a proxy-side timeout
            // fails queued messages while later ones may still be persisted, and their re-send would then be
            // dropped as duplicates. The hub times receipts out itself and then abandons the whole session.
            ("sendTimeoutMillis", "0"),
            ("batchingEnabled", "false"),
            ("maxPendingMessages", options.MaxPendingMessages.ToString(CultureInfo.InvariantCulture)),
        };
        if (producerName is not null)
        {
            query.Add(("producerName", producerName));
        }

        if (initialSequenceId is { } initial)
        {
            query.Add(("initialSequenceId", initial.ToString(CultureInfo.InvariantCulture)));
        }

        return Build(options, $"ws/v2/producer/{TopicNames.ToPath(qualifiedTopic)}", query);
    }

    /// <summary>The consumer endpoint: a Shared subscription, so a failing command does not hold back the ones behind it.</summary>
    public static Uri Consumer(PulsarOptions options, string qualifiedTopic, string subscription)
    {
        var query = new List<(string, string)>
        {
            ("subscriptionType", "Shared"),
            ("receiverQueueSize", options.CommandsReceiverQueueSize.ToString(CultureInfo.InvariantCulture)),
            ("negativeAckRedeliveryDelay", ((long)options.CommandsRetryDelay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)),
        };
        return Build(options, $"ws/v2/consumer/{TopicNames.ToPath(qualifiedTopic)}/{Uri.EscapeDataString(subscription)}", query);
    }

    /// <summary>The WebSocket service's <c>/status.html</c> (its VIP status resource), over http(s).</summary>
    public static Uri Status(PulsarOptions options)
    {
        var builder = new UriBuilder(Base(options)) { Path = Base(options).AbsolutePath.TrimEnd('/') + "/status.html" };
        builder.Scheme = builder.Scheme switch { "ws" => "http", "wss" => "https", var s => s };
        return builder.Uri;
    }

    private static Uri Base(PulsarOptions options)
    {
        var uri = new Uri(options.ServiceUrl, UriKind.Absolute);
        if (uri.Scheme is "http" or "https")
        {
            uri = new UriBuilder(uri) { Scheme = uri.Scheme == "http" ? "ws" : "wss", Port = uri.IsDefaultPort ? -1 : uri.Port }.Uri;
        }

        return uri;
    }

    private static Uri Build(PulsarOptions options, string path, List<(string Name, string Value)> query)
    {
        var root = Base(options);
        var text = new StringBuilder();
        foreach (var (name, value) in query)
        {
            text.Append(text.Length == 0 ? "" : "&").Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        return new UriBuilder(root) { Path = root.AbsolutePath.TrimEnd('/') + "/" + path, Query = text.ToString() }.Uri;
    }
}
