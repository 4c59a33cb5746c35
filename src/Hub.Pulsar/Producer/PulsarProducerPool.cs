using System.Collections.Concurrent;
using IntegrationHub.Pulsar.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Pulsar.Producer;

/// <summary>
/// One <see cref="PulsarProducer"/> per topic and producer name for the life of the app, so consecutive batches of a
/// stream reuse their session (Pulsar allows one live producer per name and topic; a fresh session per batch would
/// race the previous one's close).
/// </summary>
public sealed class PulsarProducerPool(IOptions<PulsarOptions> options, TimeProvider time, PulsarMetrics metrics, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Topic, string Producer), PulsarProducer> _producers = new();

    /// <summary>The named producer for <paramref name="qualifiedTopic"/>.</summary>
    public PulsarProducer Get(string qualifiedTopic, string producerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(producerName);
        return _producers.GetOrAdd((qualifiedTopic, producerName), key => Create(key.Topic, key.Producer));
    }

    /// <summary>A new unnamed producer (at-least-once, no deduplication) that the caller disposes.</summary>
    public PulsarProducer CreateUnnamed(string qualifiedTopic) => Create(qualifiedTopic, null);

    private PulsarProducer Create(string topic, string? producerName) =>
        new(topic, producerName, options.Value, time, metrics, loggers.CreateLogger<PulsarProducer>());

    public async ValueTask DisposeAsync()
    {
        foreach (var producer in _producers.Values)
        {
            await producer.DisposeAsync().ConfigureAwait(false);
        }

        _producers.Clear();
    }
}
