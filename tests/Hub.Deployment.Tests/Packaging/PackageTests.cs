using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.Deployment.Tests.Packaging;

/// <summary>
/// The folder <c>scripts/package.sh</c> builds is what the Functions host expects (host.json at the root,
/// one folder per function, the handler executable where host.json says), the zip holds the same with the
/// executable bit kept, and the packaged handler serves the host's contract: started the way the host
/// starts it, it answers a timer invocation and forwarded HTTP requests.
/// </summary>
public sealed class PackageTests(PackagedApp package) : IClassFixture<PackagedApp>
{
    private static string FunctionsSource => Path.Combine(RepositoryRoot.Path, "src", "Hub.Functions", "Functions");

    private static readonly JsonElement HostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json"))).RootElement;

    private static string ExecutablePath => HostJson.GetProperty("customHandler").GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;

    private static string WorkingDirectory => HostJson.GetProperty("customHandler").GetProperty("description").GetProperty("workingDirectory").GetString()!;

    [Fact]
    public void The_folder_has_host_json_and_every_function_json_at_the_hosts_layout()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")), File.ReadAllText(Path.Combine(package.Folder, "host.json")));

        var functions = Directory.EnumerateDirectories(FunctionsSource).Where(d => File.Exists(Path.Combine(d, "function.json"))).Select(Path.GetFileName).ToList();
        Assert.NotEmpty(functions);
        foreach (var function in functions)
        {
            var packaged = Path.Combine(package.Folder, function!, "function.json");
            Assert.True(File.Exists(packaged), $"{function}/function.json is missing from the package");
            Assert.Equal(File.ReadAllText(Path.Combine(FunctionsSource, function!, "function.json")), File.ReadAllText(packaged));
        }

        // Nothing else at the root: the host reads every top-level folder with a function.json as a function.
        var topLevel = Directory.EnumerateDirectories(package.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(functions.Append(WorkingDirectory).Order(StringComparer.Ordinal), topLevel);
        Assert.Equal(["host.json"], Directory.EnumerateFiles(package.Folder).Select(Path.GetFileName));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_executable_host_json_names_exists_and_is_executable()
    {
        var executable = Path.Combine(package.Folder, ExecutablePath);
        Assert.True(File.Exists(executable), $"{ExecutablePath} is not in the package");
        Assert.True(File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute), $"{ExecutablePath} is not executable");
        Assert.True(Directory.Exists(Path.Combine(package.Folder, WorkingDirectory)));

        // Self-contained: the runtime travels with the handler (the Functions image has no .NET 10 runtime for a custom handler).
        Assert.True(File.Exists(Path.Combine(package.Folder, WorkingDirectory, "libcoreclr.so")), "the handler is not self-contained linux-x64");
        Assert.False(File.Exists(Path.Combine(package.Folder, "local.settings.json")), "local settings must never be deployed");
    }

    [Fact]
    public void The_zip_holds_the_folder_at_its_root_with_the_executable_bit()
    {
        using var zip = ZipFile.OpenRead(package.Zip);
        var entries = zip.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName, StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(package.Folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(package.Folder, f).Replace('\\', '/')).ToList();
        Assert.Equal(files.Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));

        var handler = entries[ExecutablePath];
        var unixMode = (handler.ExternalAttributes >> 16) & 0x1FF;
        Assert.True((unixMode & 0x40) != 0, $"{ExecutablePath} lost its executable bit in the zip (mode {Convert.ToString(unixMode, 8)})");
    }

    [Fact]
    public async Task The_packaged_handler_serves_the_host_contract()
    {
        var emulator = await SharedCosmosEmulator.GetAsync();
        var port = CosmosEmulator.FreePort();
        var start = new ProcessStartInfo(Path.Combine(package.Folder, ExecutablePath))
        {
            WorkingDirectory = Path.Combine(package.Folder, WorkingDirectory),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // What the Functions host gives the handler: its port, plus the app settings as environment variables.
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "custom";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("APPLICATIONINSIGHTS_CONNECTION_STRING");
        foreach (var (key, value) in emulator.Settings(SharedCosmosEmulator.NewDatabaseName("pkg")))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["Auth__AdminKey"] = "packaged-admin-key-0123456789abcdef";
        start.Environment["Secrets__LocalKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var output = new StringBuilder();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("the handler did not start");
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
            var health = await WaitForHealthyAsync(http, process, output);
            Assert.Equal("functions-host", health.GetProperty("mode").GetString());
            Assert.Equal("reachable", health.GetProperty("dependencies").GetProperty("cosmos").GetProperty("status").GetString(), ignoreCase: true);

            // A timer fires as POST /{FunctionName} with the host's payload and is answered with Outputs, Logs, ReturnValue.
            const string payload = """
                {
                  "Data": { "timer": { "Schedule": { "AdjustForDST": true }, "ScheduleStatus": { "Last": "2026-01-05T09:00:00+00:00", "Next": "2026-01-05T09:00:30+00:00", "LastUpdated": "2026-01-05T09:00:00+00:00" }, "IsPastDue": false } },
                  "Metadata": { "sys": { "MethodName": "ProbeDependencies", "UtcNow": "2026-01-05T09:00:30.1Z", "RandGuid": "0f8fad5b-d9cb-469f-a165-70867728950e" } }
                }
                """;
            using var invocation = await http.PostAsync(new Uri("ProbeDependencies", UriKind.Relative), new StringContent(payload, Encoding.UTF8, "application/json"));
            var text = await invocation.Content.ReadAsStringAsync();
            Assert.True(invocation.StatusCode == HttpStatusCode.OK, text);
            using var answer = JsonDocument.Parse(text);
            Assert.Equal(JsonValueKind.Object, answer.RootElement.GetProperty("Outputs").ValueKind);
            Assert.Contains(answer.RootElement.GetProperty("Logs").EnumerateArray(), l => l.GetString() == "cosmos: Reachable");
            Assert.True(answer.RootElement.TryGetProperty("ReturnValue", out _), text);

            // Forwarded HTTP requests keep their /api path; the admin key from the app settings is honoured.
            using var admin = new HttpRequestMessage(HttpMethod.Get, "api/v1/tenants");
            admin.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "packaged-admin-key-0123456789abcdef");
            using var tenants = await http.SendAsync(admin);
            Assert.Equal(HttpStatusCode.OK, tenants.StatusCode);
            using var anonymous = await http.GetAsync(new Uri("api/v1/tenants", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
    }

    private static async Task<JsonElement> WaitForHealthyAsync(HttpClient http, Process process, StringBuilder output)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                lock (output)
                {
                    Assert.Fail($"The packaged handler exited with {process.ExitCode}:\n{output}");
                }
            }

            try
            {
                using var response = await http.GetAsync(new Uri("api/health", UriKind.Relative));
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(200);
        }

        lock (output)
        {
            Assert.Fail($"The packaged handler did not become healthy in 60 s (last: {last}):\n{output}");
        }

        return default;
    }
}
