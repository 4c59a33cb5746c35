using System.ComponentModel.DataAnnotations;

namespace IntegrationHub.Functions.Api;

/// <summary>Limits of the HTTP API. Section <c>Api</c>; app settings <c>Api__*</c>.</summary>
public sealed class ApiOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Api";

    /// <summary>The largest request body accepted; larger ones answer 413.</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;
}
