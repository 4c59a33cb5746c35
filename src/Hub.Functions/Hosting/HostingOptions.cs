using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace IntegrationHub.Functions.Hosting;

/// <summary>How the handler is hosted. Section <c>Hosting</c>; app settings <c>Hosting__*</c>.</summary>
public sealed class HostingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Hosting";

    /// <summary>The variable the Functions host sets to the port it forwards to; its presence means "under the host".</summary>
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>Standalone only: where the hub listens (default <c>http://localhost:7071</c>, the port <c>func start</c> uses).</summary>
    [Required]
    public string Urls { get; set; } = "http://localhost:7071";

    /// <summary>Where the <c>{FunctionName}/function.json</c> folders are; default: <c>Functions</c> beside the executable.</summary>
    public string? FunctionsPath { get; set; }

    /// <summary>Standalone only: fire timer functions on their <c>function.json</c> schedules. Tests switch it off to drive timers by hand.</summary>
    public bool RunTimers { get; set; } = true;

    /// <summary>The folder of function definitions to read.</summary>
    public string ResolvedFunctionsPath => string.IsNullOrEmpty(FunctionsPath) ? Path.Combine(AppContext.BaseDirectory, "Functions") : FunctionsPath;
}

/// <summary>Whether the Functions host started us (and on which port) or we run on our own.</summary>
/// <param name="UnderFunctionsHost">True when <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> is set.</param>
/// <param name="Urls">The addresses Kestrel listens on.</param>
public sealed record HostingMode(bool UnderFunctionsHost, string Urls)
{
    /// <summary>"functions-host" or "standalone", for health output and logs.</summary>
    public string Name => UnderFunctionsHost ? "functions-host" : "standalone";

    /// <summary>Reads the mode from configuration; a malformed port stops start-up with a message naming it.</summary>
    public static HostingMode Detect(IConfiguration configuration)
    {
        var port = configuration[HostingOptions.CustomHandlerPortVariable];
        if (!string.IsNullOrWhiteSpace(port))
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                throw new InvalidOperationException($"Setting {HostingOptions.CustomHandlerPortVariable}: '{port}' is not a TCP port (1-65535).");
            }

            // The host calls the handler on loopback only.
            return new HostingMode(true, $"http://127.0.0.1:{number}");
        }

        var urls = configuration[$"{HostingOptions.Section}:Urls"];
        return new HostingMode(false, string.IsNullOrWhiteSpace(urls) ? new HostingOptions().Urls : urls);
    }
}
