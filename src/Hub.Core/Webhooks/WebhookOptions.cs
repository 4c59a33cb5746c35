using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Core.Webhooks;

/// <summary>How inbound webhooks are received. Section <c>Webhooks</c>; app settings <c>Webhooks__*</c>.</summary>
public sealed class WebhookOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Webhooks";

    /// <summary>The largest webhook body accepted, in bytes (default 1 MiB); larger bodies are answered 413 before they are read. Also bounded by <c>Api__MaxRequestBodyBytes</c>.</summary>
    [Range(1024, 4_194_304)]
    public int MaxBodyBytes { get; set; } = 1_048_576;

    /// <summary>Webhook requests accepted per integration per minute (token bucket, refilled every second); more are answered 429 with <c>Retry-After</c>.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>The bucket's size: how many requests an integration may send at once.</summary>
    [Range(1, 100_000)]
    public int Burst { get; set; } = 100;

    /// <summary>An acknowledged delivery still pending after this many seconds is published by the <c>DrainWebhooks</c> timer (the instance that acknowledged it died or the sink was down).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RedriveAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many pending deliveries one <c>DrainWebhooks</c> invocation picks up.</summary>
    [Range(1, 10_000)]
    public int RedriveBatchSize { get; set; } = 200;

    /// <summary>The public base URL of the hub (e.g. <c>https://hub.example.com</c>) used for <c>webhookUrl</c>; empty: taken from the request.</summary>
    [RegularExpression("^(https?://[^\\s/]+.*)?$")]
    public string? PublicBaseUrl { get; set; }
}
