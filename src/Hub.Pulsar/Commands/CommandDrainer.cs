using System.Globalization;
using System.Text.Json;
using IntegrationHub.Pulsar.Consumer;
using IntegrationHub.Pulsar.Diagnostics;
using IntegrationHub.Pulsar.Producer;
using IntegrationHub.Pulsar.Topics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Pulsar.Commands;

/// <summary>
/// Drains the commands subscription within a time budget (a timer function calls it): each command is handed to the
/// handler and acknowledged only after the handler returns; a failure is negatively acknowledged so the broker
/// redelivers it later, and once a command has failed <see cref="PulsarOptions.MaxCommandAttempts"/> times it is
/// published to the dead-letter topic with the reason and then acknowledged, so it stops coming back.
/// </summary>
/// <remarks>
/// <para>The attempt count is the broker's <c>redeliveryCount</c> + 1, so it survives across drains and hub restarts.
/// The subscription is Shared: while a failed command waits for its redelivery, the ones behind it are delivered.</para>
/// <para>The budget bounds how long new commands are taken; a command already handed to the handler runs to its end
/// (the handler gets the caller's token). A command whose payload is not JSON is dead-lettered at once.</para>
/// <para>The WebSocket API gives no receipt for an acknowledgement: if the session drops after a command ran and
/// before the broker recorded its acknowledgement, the command is delivered again. Handlers must be idempotent
/// (<see cref="InboundCommand.MessageId"/> is a natural idempotency key).</para>
/// <para>Dead letters are at-least-once: if the hub dies between publishing one and acknowledging the original, the
/// command is dead-lettered again on its next delivery; consumers deduplicate by <see cref="DeadLetterProperties.OriginalMessageId"/>.</para>
/// </remarks>
public sealed class CommandDrainer(IOptions<PulsarOptions> options, PulsarProducerPool producers, TimeProvider time, PulsarMetrics metrics, ILogger<CommandDrainer> logger)
{
    /// <summary>Drains until <paramref name="budget"/> is spent or no command arrives for <see cref="PulsarOptions.CommandsIdleWait"/>.</summary>
    public async Task<CommandDrainResult> DrainAsync(Func<InboundCommand, CancellationToken, Task> handler, TimeSpan budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var settings = options.Value;
        if (!settings.IsConfigured)
        {
            throw new InvalidOperationException("Pulsar is not configured (Pulsar__ServiceUrl is empty).");
        }

        var topic = TopicNames.Qualify(settings.CommandsTopic, settings);
        var started = time.GetTimestamp();
        int processed = 0, failed = 0, deadLettered = 0;
        var exhausted = false;
        PulsarProducer? deadLetters = null;
        await using var consumer = await PulsarConsumer.ConnectAsync(settings, topic, settings.CommandsSubscription, time, cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var left = budget - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    exhausted = true;
                    break;
                }

                var idle = settings.CommandsIdleWait;
                ReceivedMessage? message;
                try
                {
                    message = await consumer.ReceiveAsync(left < idle ? left : idle, cancellationToken).ConfigureAwait(false);
                }
                catch (PulsarException e)
                {
                    // Unacknowledged commands are redelivered to the next drain; nothing is lost by stopping here.
                    Logs.ConsumerSessionEnded(logger, topic, e.Message);
                    break;
                }

                if (message is null)
                {
                    exhausted = time.GetElapsedTime(started) >= budget;
                    break;
                }

                var attempt = message.RedeliveryCount + 1;
                string reason;
                try
                {
                    var command = Parse(message);
                    await handler(command, cancellationToken).ConfigureAwait(false);
                    await consumer.AcknowledgeAsync(message.MessageId, cancellationToken).ConfigureAwait(false);
                    processed++;
                    metrics.Command("processed");
                    continue;
                }
                catch (JsonException e)
                {
                    reason = $"payload is not JSON: {e.Message}";
                    attempt = settings.MaxCommandAttempts;
                }
                catch (PulsarException e)
                {
                    Logs.ConsumerSessionEnded(logger, topic, e.Message);
                    break;
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    reason = $"{e.GetType().Name}: {e.Message}";
                }

                try
                {
                    if (attempt >= settings.MaxCommandAttempts)
                    {
                        deadLetters ??= producers.CreateUnnamed(TopicNames.Qualify(settings.CommandsDeadLetterTopic, settings));
                        await deadLetters.SendAsync([DeadLetter(message, topic, settings.CommandsSubscription, attempt, reason)], cancellationToken).ConfigureAwait(false);
                        await consumer.AcknowledgeAsync(message.MessageId, cancellationToken).ConfigureAwait(false);
                        deadLettered++;
                        metrics.Command("dead_lettered");
                        Logs.CommandDeadLettered(logger, message.MessageId, topic, attempt, deadLetters.Topic, reason);
                    }
                    else
                    {
                        await consumer.NegativeAcknowledgeAsync(message.MessageId, cancellationToken).ConfigureAwait(false);
                        failed++;
                        metrics.Command("failed");
                        Logs.CommandFailed(logger, message.MessageId, topic, attempt, settings.MaxCommandAttempts, reason);
                    }
                }
                catch (PulsarException e)
                {
                    // Not acknowledged: the broker redelivers it and the next drain tries again.
                    Logs.ConsumerSessionEnded(logger, topic, e.Message);
                    break;
                }
            }
        }
        finally
        {
            if (deadLetters is not null)
            {
                await deadLetters.DisposeAsync().ConfigureAwait(false);
            }
        }

        var elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
        Logs.Drained(logger, topic, settings.CommandsSubscription, processed, failed, deadLettered, elapsedMs);
        return new CommandDrainResult(processed, failed, deadLettered, exhausted);
    }

    private static InboundCommand Parse(ReceivedMessage message)
    {
        using var document = JsonDocument.Parse(message.Payload);
        return new InboundCommand(message.MessageId, document.RootElement.Clone(), message.RedeliveryCount, message.Key, message.Properties);
    }

    private static PulsarMessage DeadLetter(ReceivedMessage message, string topic, string subscription, int attempts, string reason)
    {
        var properties = new Dictionary<string, string>(message.Properties, StringComparer.Ordinal)
        {
            [DeadLetterProperties.Reason] = reason.Length > 1000 ? reason[..1000] : reason,
            [DeadLetterProperties.OriginalTopic] = topic,
            [DeadLetterProperties.OriginalMessageId] = message.MessageId,
            [DeadLetterProperties.Subscription] = subscription,
            [DeadLetterProperties.Attempts] = attempts.ToString(CultureInfo.InvariantCulture),
        };
        return new PulsarMessage(0, message.Payload, message.Key, properties);
    }
}
