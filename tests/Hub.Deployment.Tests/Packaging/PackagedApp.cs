using System.Diagnostics;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Deployment.Tests.Packaging;

/// <summary>
/// Runs <c>scripts/package.sh</c> once for the test class into a temporary folder (a Release
/// <c>dotnet publish</c> of Hub.Functions, then the zip: 30–120 s on a busy 2-core machine) and deletes it
/// afterwards.
/// </summary>
public sealed class PackagedApp : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hub-package-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The publish output (what the zip holds).</summary>
    public string Folder => Path.Combine(_root, "functionapp");

    /// <summary>The zip for zip deploy.</summary>
    public string Zip => Folder + ".zip";

    /// <summary>A new empty folder inside the fixture's temporary folder (deleted with it).</summary>
    public string NewFolder(string name)
    {
        var path = Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>What the script printed, for failure messages.</summary>
    public string Output { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot.Path, "scripts", "package.sh"), Folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/package.sh failed ({process.ExitCode}):\n{Output}");
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}
