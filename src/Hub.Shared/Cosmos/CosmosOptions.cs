using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Shared.Cosmos;

/// <summary>Where the hub keeps its models. Section <c>Cosmos</c>; app settings <c>Cosmos__*</c>.</summary>
public sealed class CosmosOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Cosmos";

    /// <summary>The account endpoint, e.g. <c>https://myaccount.documents.azure.com:443/</c>, or the local emulator's.</summary>
    [Required(ErrorMessage = "the Cosmos DB account endpoint is required (the local emulator is http://127.0.0.1:8081/).")]
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>The account key. Empty means Microsoft Entra ID through <c>DefaultAzureCredential</c> (managed identity in Azure).</summary>
    public string? Key { get; set; }

    /// <summary>The database name.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9-_]{1,255}$", ErrorMessage = "a database name is letters, digits, '-' and '_'.")]
    public string Database { get; set; } = "integrationhub";

    /// <summary>Gateway mode, pinned to the endpoint. Needed for the local emulator, which has no direct mode and advertises https addresses it does not serve.</summary>
    public bool UseGatewayOnly { get; set; }

    /// <summary>Create the database and containers when they are missing (on for local runs; Bicep creates them in Azure).</summary>
    public bool CreateIfMissing { get; set; } = true;

    /// <summary>How often the SDK retries a throttled (429) request before giving up.</summary>
    [Range(0, 100)]
    public int MaxRetryAttemptsOnThrottle { get; set; } = 9;

    /// <summary>The longest the SDK waits in total across throttling retries.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxRetryWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one request to the account.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(Endpoint)
            && (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult($"'{Endpoint}' is not an http(s) URL.", [nameof(Endpoint)]);
        }
    }
}
