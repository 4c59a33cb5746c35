namespace IntegrationHub.Pulsar.Commands;

/// <summary>The properties a dead-lettered command carries, besides its own. The payload and key are unchanged.</summary>
public static class DeadLetterProperties
{
    /// <summary>Why it was given up: the last failure's type and message.</summary>
    public const string Reason = "hub-dlq-reason";

    /// <summary>The topic it was read from.</summary>
    public const string OriginalTopic = "hub-dlq-original-topic";

    /// <summary>Its message id there (a consumer of the dead-letter topic can deduplicate by it).</summary>
    public const string OriginalMessageId = "hub-dlq-original-message-id";

    /// <summary>The subscription that gave up.</summary>
    public const string Subscription = "hub-dlq-subscription";

    /// <summary>How many times it was executed.</summary>
    public const string Attempts = "hub-dlq-attempts";
}
