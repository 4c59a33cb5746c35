using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Pulsar;

/// <summary>
/// How the hub reaches Apache Pulsar through its WebSocket API. Section <c>Pulsar</c>; app settings <c>Pulsar__*</c>.
/// An empty <see cref="ServiceUrl"/> means Pulsar is not configured: events go to the default sink and no commands are read.
/// </summary>
public sealed class PulsarOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Pulsar";

    /// <summary>The WebSocket service, e.g. <c>ws://localhost:8080</c> (standalone) or <c>wss://pulsar.example.com:8443</c>. Empty: Pulsar is not configured.</summary>
    public string ServiceUrl { get; set; } = string.Empty;

    /// <summary>The Pulsar tenant that short topic names resolve into.</summary>
    [Required]
    [RegularExpression(@"^[-=:.\w]+$", ErrorMessage = "a Pulsar tenant is letters, digits and '-=:._'.")]
    public string Tenant { get; set; } = "public";

    /// <summary>The Pulsar namespace that short topic names resolve into.</summary>
    [Required]
    [RegularExpression(@"^[-=:.\w]+$", ErrorMessage = "a Pulsar namespace is letters, digits and '-=:._'.")]
    public string Namespace { get; set; } = "default";

    /// <summary>A JWT for Pulsar token authentication, sent as <c>Authorization: Bearer</c>. A secret: never logged.</summary>
    public string? Token { get; set; }

    /// <summary>How long a message may wait for its receipt before the session is abandoned and everything unreceipted is re-sent on a new one. (The proxy's own producer gets <c>sendTimeoutMillis=0</c>: see <c>PulsarEndpoints</c>.)</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening a WebSocket session may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages sent and not yet receipted at once; also the proxy producer's <c>maxPendingMessages</c>, so its queue can never be full.</summary>
    [Range(1, 10_000)]
    public int MaxPendingMessages { get; set; } = 500;

    /// <summary>Sessions in a row that bring no receipt (the first included) before a publish gives up with a transient failure; a session that made progress resets the count.</summary>
    [Range(1, 100)]
    public int MaxSendAttempts { get; set; } = 5;

    /// <summary>First wait before reconnecting after a session that brought no receipt; doubles per such attempt up to <see cref="ReconnectMaxDelay"/> (the hub's backoff policy on Polly). A session that made progress reconnects at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between reconnects.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The topic inbound commands arrive on (short name, or <c>persistent://tenant/namespace/topic</c>).</summary>
    [Required]
    public string CommandsTopic { get; set; } = "hub.commands";

    /// <summary>The hub's durable (Shared) subscription on <see cref="CommandsTopic"/>.</summary>
    [Required]
    [RegularExpression(@"^[-=:.\w]+$", ErrorMessage = "a subscription name is letters, digits and '-=:._'.")]
    public string CommandsSubscription { get; set; } = "integration-hub";

    /// <summary>Where a command goes after <see cref="MaxCommandAttempts"/> failures, with the reason.</summary>
    [Required]
    public string CommandsDeadLetterTopic { get; set; } = "hub.commands.dlq";

    /// <summary>Executions of one command (first one included) before it is dead-lettered.</summary>
    [Range(1, 100)]
    public int MaxCommandAttempts { get; set; } = 5;

    /// <summary>The consumer's <c>receiverQueueSize</c>: commands handed to the hub before it acknowledges any.</summary>
    [Range(1, 1_000)]
    public int CommandsReceiverQueueSize { get; set; } = 20;

    /// <summary>The consumer's <c>negativeAckRedeliveryDelay</c>: how long a failed command waits before it is redelivered.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CommandsRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A drain stops early when no command arrives for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan CommandsIdleWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether <see cref="ServiceUrl"/> is set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ServiceUrl);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IsConfigured && (!Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss" or "http" or "https")))
        {
            yield return new ValidationResult($"'{ServiceUrl}' is not a ws://, wss://, http:// or https:// URL.", [nameof(ServiceUrl)]);
        }

        if (ReconnectMaxDelay < ReconnectInitialDelay)
        {
            yield return new ValidationResult("must not be less than Pulsar__ReconnectInitialDelay.", [nameof(ReconnectMaxDelay)]);
        }
    }
}
