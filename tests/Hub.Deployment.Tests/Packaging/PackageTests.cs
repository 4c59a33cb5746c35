using System.IO.Compression;
using System.Net;
using System.Text.Json;
using IntegrationHub.Deployment.Tests.Support;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Deployment.Tests.Packaging;

/// <summary>
/// The zip <c>scripts/package.sh</c> builds is the <c>dotnet publish</c> output at its root: what the
/// Functions host needs to index and start a .NET isolated app (host.json, functions.metadata,
/// worker.config.json, the worker assembly, the <c>.azurefunctions/</c> extension loader) and no function.json
/// or local settings. Unzipped, it starts under the real Functions host and answers <c>/api/health</c>.
/// </summary>
public sealed class PackageTests(PackagedApp package) : IClassFixture<PackagedApp>
{
    [Fact]
    public void The_zip_has_what_the_host_needs_to_index_the_isolated_worker_and_no_function_json()
    {
        var entries = Entries();
        Assert.Contains("host.json", entries);
        Assert.Contains("functions.metadata", entries);
        Assert.Contains("worker.config.json", entries);
        Assert.Contains("Hub.Functions.dll", entries);
        Assert.Contains(entries, e => e.StartsWith(".azurefunctions/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => Path.GetFileName(e) == "function.json");
        Assert.DoesNotContain(entries, e => Path.GetFileName(e) == "local.settings.json");
        Assert.DoesNotContain(entries, e => e.StartsWith("handler/", StringComparison.Ordinal));

        using var zip = ZipFile.OpenRead(package.Zip);
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")), Read(zip, "host.json"));
    }

    [Fact]
    public void The_zip_holds_exactly_the_publish_output()
    {
        var files = Directory.EnumerateFiles(package.Folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(package.Folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, Entries().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_worker_config_starts_the_packaged_assembly_and_the_metadata_is_the_builds()
    {
        using var zip = ZipFile.OpenRead(package.Zip);
        using var worker = JsonDocument.Parse(Read(zip, "worker.config.json"));
        var description = worker.RootElement.GetProperty("description");
        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("Hub.Functions.dll", description.GetProperty("defaultWorkerPath").GetString());
        Assert.Contains("Hub.Functions.dll", Entries());

        var folder = package.NewFolder("metadata");
        var path = Path.Combine(folder, "functions.metadata");
        File.WriteAllText(path, Read(zip, "functions.metadata"));
        var packaged = FunctionsMetadata.Read(path).Select(f => f.Name).Order(StringComparer.Ordinal);
        Assert.Equal(FunctionsMetadata.Functions.Select(f => f.Name).Order(StringComparer.Ordinal), packaged);
    }

    [Fact]
    public async Task Unzipped_it_starts_under_the_Functions_host_and_answers_health()
    {
        var root = package.NewFolder("app");
        ZipFile.ExtractToDirectory(package.Zip, root);
        var emulator = await SharedCosmosEmulator.GetAsync();
        await using var host = await FunctionsHost.StartAsync(root, package.NewFolder("host"), emulator.Settings(SharedCosmosEmulator.NewDatabaseName("pkg")));

        using var health = await host.Http.GetAsync(new Uri("api/health", UriKind.Relative));
        var body = await health.Content.ReadAsStringAsync();
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"{(int)health.StatusCode} {body}\n{host.Output}");
        using (var report = JsonDocument.Parse(body))
        {
            Assert.Equal("healthy", report.RootElement.GetProperty("status").GetString());
            Assert.Equal("reachable", report.RootElement.GetProperty("dependencies").GetProperty("cosmos").GetProperty("status").GetString(), ignoreCase: true);
        }

        // The host indexed the timers from functions.metadata with their %Timers:*% schedules resolved: one fires on request.
        using var fire = new HttpRequestMessage(HttpMethod.Post, "admin/functions/ProbeDependencies") { Content = new StringContent("""{"input":""}""", System.Text.Encoding.UTF8, "application/json") };
        fire.Headers.Add("x-functions-key", host.MasterKey);
        using var fired = await host.Http.SendAsync(fire);
        Assert.True(fired.StatusCode == HttpStatusCode.Accepted, $"{(int)fired.StatusCode} {await fired.Content.ReadAsStringAsync()}\n{host.Output}");

        // /api/metrics from the worker: the dependency gauge the health check just set, in Prometheus text.
        var scraped = string.Empty;
        await IntegrationHub.TestDoubles.Eventually.TrueAsync(async () =>
        {
            using var metrics = await host.Http.GetAsync(new Uri("api/metrics", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
            scraped = await metrics.Content.ReadAsStringAsync();
            return scraped.Contains("integrationhub_health_hub_dependency_up{dependency=\"cosmos\"} 1", StringComparison.Ordinal);
        }, "the cosmos dependency gauge at 1 in /api/metrics");
    }

    private List<string> Entries()
    {
        using var zip = ZipFile.OpenRead(package.Zip);
        return zip.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName).ToList();
    }

    private static string Read(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }
}
