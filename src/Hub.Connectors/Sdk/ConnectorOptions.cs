using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Connectors;

/// <summary>Settings of section <c>Connectors</c> (app settings <c>Connectors__Network__AllowPrivateNetworks</c>, ...).</summary>
public sealed class ConnectorOptions : IValidatableObject
{
    public const string Section = "Connectors";

    public NetworkOptions Network { get; set; } = new();

    public HttpOptions Http { get; set; } = new();

    public ResilienceOptions Resilience { get; set; } = new();

    public PacingOptions Pacing { get; set; } = new();

    /// <summary>Validates the nested sections, naming each member by its full path (<c>Resilience:MaxRetries</c>).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, section) in new (string, object)[] { ("Network", Network), ("Http", Http), ("Resilience", Resilience), ("Pacing", Pacing) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult(result.ErrorMessage, result.MemberNames.Select(m => $"{name}:{m}").ToArray());
            }
        }
    }
}

/// <summary>The SSRF guard's settings.</summary>
public sealed class NetworkOptions
{
    /// <summary>Allow loopback, link-local, private and unspecified addresses for every host. Never in production.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Host names (or IP literals) exempt from the guard, e.g. a self-hosted Jira on the company network.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Redirects followed per request; every hop passes the guard.</summary>
    [Range(0, 20)]
    public int MaxRedirects { get; set; } = 5;
}

/// <summary>HTTP client settings.</summary>
public sealed class HttpOptions
{
    /// <summary>Time allowed for one attempt, until the response headers arrive.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed to open a TCP connection.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Required]
    public string UserAgent { get; set; } = "IntegrationHub/1.0";
}

/// <summary>Retry and circuit-breaker settings, per connection (connector + credential).</summary>
public sealed class ResilienceOptions
{
    /// <summary>Retries after the first attempt, for 5xx, 408, 429, rate-limit 403s, network errors and timeouts.</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 5;

    /// <summary>First backoff delay; doubled per retry, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Outside runs (checks, previews, commands): the longest rate-limit wait slept in-process; a longer one fails with <see cref="RateLimitedException"/>. A run's activities sleep none (<see cref="ConnectorContext.DeferRateLimits"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failure ratio (5xx, network errors, timeouts) that opens the circuit.</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Requests in the sampling window before the ratio counts.</summary>
    [Range(2, 10_000)]
    public int BreakerMinimumThroughput { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit refuses requests.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Proactive pacing (token bucket per connector and credential, defaults from the descriptor).</summary>
public sealed class PacingOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Requests that may queue for a token per connection before more are refused.</summary>
    [Range(1, 100_000)]
    public int QueueLimit { get; set; } = 1_000;
}
