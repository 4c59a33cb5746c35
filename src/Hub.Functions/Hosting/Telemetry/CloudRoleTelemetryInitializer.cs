using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.Extensibility;

namespace IntegrationHub.Functions.Hosting.Telemetry;

/// <summary>
/// Names the hub in Application Insights' application map: the Function App's name in Azure
/// (<c>WEBSITE_SITE_NAME</c>, set by the platform), "IntegrationHub" elsewhere; the instance is the
/// machine name so scale-out instances can be told apart.
/// </summary>
internal sealed class CloudRoleTelemetryInitializer(IConfiguration configuration) : ITelemetryInitializer
{
    private readonly string _role = configuration["WEBSITE_SITE_NAME"] is { Length: > 0 } site ? site : "IntegrationHub";

    public void Initialize(ITelemetry telemetry)
    {
        if (string.IsNullOrEmpty(telemetry.Context.Cloud.RoleName))
        {
            telemetry.Context.Cloud.RoleName = _role;
        }

        if (string.IsNullOrEmpty(telemetry.Context.Cloud.RoleInstance))
        {
            telemetry.Context.Cloud.RoleInstance = Environment.MachineName;
        }
    }
}
