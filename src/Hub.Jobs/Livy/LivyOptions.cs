using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Jobs.Livy;

/// <summary>How Livy wants callers to authenticate.</summary>
public enum LivyAuthMode
{
    /// <summary>No credentials (a Livy on a private network, or behind a gateway that authenticates).</summary>
    None,

    /// <summary>HTTP basic authentication (Livy behind Knox or an HDInsight/EMR gateway).</summary>
    Basic,

    /// <summary>A bearer token (Livy's JWT filter, or a gateway issuing tokens).</summary>
    Bearer,
}

/// <summary>
/// Where Apache Livy runs and how to call it. Section <c>Livy</c>; an empty <see cref="BaseUrl"/> means the
/// hub runs without Spark (the Spark connector kind is then unavailable and health says "not configured").
/// </summary>
public sealed class LivyOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Livy";

    /// <summary>Livy's base address, e.g. <c>http://livy:8998/</c> or a gateway path such as <c>https://cluster/livy/</c>. Empty: not configured.</summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>How to authenticate.</summary>
    public LivyAuthMode Auth { get; set; } = LivyAuthMode.None;

    /// <summary>The user for <see cref="LivyAuthMode.Basic"/>.</summary>
    public string? UserName { get; set; }

    /// <summary>The password for <see cref="LivyAuthMode.Basic"/> (a secret: never logged).</summary>
    public string? Password { get; set; }

    /// <summary>The token for <see cref="LivyAuthMode.Bearer"/> (a secret: never logged).</summary>
    public string? Token { get; set; }

    /// <summary>
    /// The value of the <c>X-Requested-By</c> header sent with every call. Livy rejects POST and DELETE without
    /// it (400 "Missing Required Header for CSRF protection.") when <c>livy.server.csrf-protection.enabled</c> is on,
    /// so the hub always sends it.
    /// </summary>
    [Required]
    public string RequestedBy { get; set; } = "integrationhub";

    /// <summary>How long the run engine waits between two looks at a running batch.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How many of the log's last lines a failed batch reports.</summary>
    [Range(1, 1000)]
    public int LogTailLines { get; set; } = 50;

    /// <summary>How many batches one page of <c>GET /batches</c> asks for when looking a batch up by name.</summary>
    [Range(1, 1000)]
    public int ListPageSize { get; set; } = 100;

    /// <summary>Timeout of one HTTP call to Livy.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

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
            yield return new ValidationResult("Must be an absolute http(s) address, e.g. http://livy:8998/.", [nameof(BaseUrl)]);
        }

        if (Auth == LivyAuthMode.Basic && (string.IsNullOrEmpty(UserName) || string.IsNullOrEmpty(Password)))
        {
            yield return new ValidationResult("Basic authentication needs a user name and a password.", [nameof(UserName), nameof(Password)]);
        }

        if (Auth == LivyAuthMode.Bearer && string.IsNullOrEmpty(Token))
        {
            yield return new ValidationResult("Bearer authentication needs a token.", [nameof(Token)]);
        }
    }
}
