using System.Diagnostics;
using IntegrationHub.Functions.Tests.Infrastructure;
using IntegrationHub.TestDoubles.Cosmos;
using IntegrationHub.TestDoubles.SaaS;
using Xunit.Abstractions;

namespace IntegrationHub.Functions.Tests.Dashboard;

/// <summary>
/// The dashboard's host: the Function App serving the built web app at <c>/</c> (web/dist, shipped as wwwroot/), and a
/// GitHub double that knows the token the browser tests type in.
/// </summary>
public sealed class DashboardHubFixture : HubFixture
{
    /// <summary>The token the Playwright specs enter for their GitHub credential.</summary>
    public const string Token = "ghp_e2e_secret_value_1234";

    public GitHubDouble GitHub { get; } = new(token: Token);

    protected override async Task StartDoublesAsync()
    {
        GitHub.AddIssue("Dashboard e2e issue", DateTimeOffset.UtcNow.AddMinutes(-5));
        await GitHub.StartAsync();
    }

    protected override async Task StopDoublesAsync() => await GitHub.DisposeAsync();

    protected override IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Connectors:Network:AllowPrivateNetworks"] = "true",
    };
}

[CollectionDefinition(Name)]
public sealed class DashboardHub : ICollectionFixture<DashboardHubFixture>
{
    public const string Name = "dashboard hub";
}

/// <summary>
/// Issue 15: a person does everything in the dashboard, in Debian's Chromium driven by Playwright (web/e2e): sign in;
/// create a credential and test it against the GitHub double; walk the wizard to a scheduled integration with a
/// mapping previewed and the next five schedule occurrences; run it and watch it succeed; see its events; edit it
/// from a stale tab (412); delete it. Screenshots go to web/test-results/screenshots (HUB_SCREENSHOTS_DIR=docs/screenshots
/// refreshes the README's). The specs' own report is printed.
/// </summary>
[Collection(DashboardHub.Name)]
public sealed class DashboardEndToEndTests(DashboardHubFixture fixture, ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task A_person_can_do_everything_in_the_dashboard_without_curl()
    {
        var web = Path.Combine(RepositoryRoot.Path, "web");
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (scripts/test.sh does).");
        Assert.True(File.Exists(Path.Combine(web, "node_modules", ".bin", "playwright")), "web/node_modules is missing: npm ci --prefix web (scripts/test.sh does).");
        using (var index = await fixture.Hub.Client.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.True(index.IsSuccessStatusCode, "The Function App does not serve the dashboard at /: build web/ before the Function App (npm run build --prefix web).");
        }

        var start = new ProcessStartInfo(Path.Combine(web, "node_modules", ".bin", "playwright"), ["test", "--reporter=line"])
        {
            WorkingDirectory = web,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["HUB_URL"] = fixture.Hub.BaseAddress.ToString().TrimEnd('/');
        start.Environment["HUB_ADMIN_KEY"] = HubHost.AdminKey;
        start.Environment["GITHUB_DOUBLE_URL"] = fixture.GitHub.BaseAddress.ToString().TrimEnd('/');
        start.Environment["CHROMIUM_PATH"] = Chromium;
        start.Environment["CI"] = "true";
        if (Environment.GetEnvironmentVariable("HUB_SCREENSHOTS_DIR") is { Length: > 0 } screenshots)
        {
            start.Environment["HUB_SCREENSHOTS_DIR"] = Path.GetFullPath(screenshots, RepositoryRoot.Path); // docs/screenshots refreshes the README's pictures
        }

        using var playwright = Process.Start(start)!;
        var stdout = playwright.StandardOutput.ReadToEndAsync();
        var stderr = playwright.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        try
        {
            await playwright.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            playwright.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            output.WriteLine(await stdout);
            output.WriteLine(await stderr);
        }

        Assert.True(playwright.ExitCode == 0, $"Playwright failed (exit {playwright.ExitCode}):\n{await stdout}\n{await stderr}\nHub log tail:\n{fixture.Hub.Tail(60)}");
    }
}
