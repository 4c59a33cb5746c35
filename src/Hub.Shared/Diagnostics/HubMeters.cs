namespace IntegrationHub.Shared.Diagnostics;

/// <summary>Names of the meters the hub exports at <c>/api/metrics</c>.</summary>
public static class HubMeters
{
    /// <summary>Every hub meter's name starts with this: <c>IntegrationHub.Runs</c>, <c>IntegrationHub.Connectors</c>, ...</summary>
    public const string Prefix = "IntegrationHub";

    /// <summary>ASP.NET Core's own meter, whose <c>http.server.request.duration</c> histogram gives request counts and durations.</summary>
    public const string AspNetCoreHosting = "Microsoft.AspNetCore.Hosting";

    /// <summary>Whether the exporter takes a meter's instruments.</summary>
    public static bool IsExported(string meterName) =>
        meterName.StartsWith(Prefix, StringComparison.Ordinal) || meterName == AspNetCoreHosting;
}
