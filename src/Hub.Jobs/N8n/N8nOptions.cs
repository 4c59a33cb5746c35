using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Jobs.N8n;

/// <summary>
/// Where n8n runs and how the hub calls it. Section <c>N8n</c>; an empty <see cref="BaseUrl"/> means the hub
/// runs without n8n (the n8n connector kind is then unavailable and health says "not configured").
/// </summary>
public sealed class N8nOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "N8n";

    /// <summary>n8n's base address, e.g. <c>http://n8n:5678/</c>. Empty: not configured.</summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>
    /// The public-API key (<c>X-N8N-API-KEY</c>), a secret: bind it from the secret store, never from plain
    /// settings in production. Never logged, never in exception messages.
    /// </summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Only workflows carrying this tag are offered in the hub's catalog.</summary>
    [Required]
    public string WorkflowTag { get; set; } = "integrationhub";

    /// <summary>
    /// How long a webhook call may take. A workflow answering with its result must answer within this; longer
    /// workflows answer <c>{ "executionId": ... }</c> from a Respond-to-Webhook node and are polled instead.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the run engine waits between two looks at a running execution.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ExecutionPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of one public-API call.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Workflows per page of <c>GET /api/v1/workflows</c> (n8n allows up to 250).</summary>
    [Range(1, 250)]
    public int PageSize { get; set; } = 100;

    /// <summary>n8n's production webhook path segment (n8n's <c>N8N_ENDPOINT_WEBHOOK</c>).</summary>
    [Required]
    public string WebhookPath { get; set; } = "webhook";

    /// <summary>Whether <see cref="BaseUrl"/> is set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(BaseUrl);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("Must be an absolute http(s) address, e.g. http://n8n:5678/.", [nameof(BaseUrl)]);
        }

        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            yield return new ValidationResult("n8n's public API needs an API key (Settings > n8n API in n8n).", [nameof(ApiKey)]);
        }
    }
}
