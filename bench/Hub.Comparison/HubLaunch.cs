using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace IntegrationHub.Comparison;

/// <summary>
/// Starting a hub for a benchmark: where the Functions host is, a free loopback port, waiting for readiness, reading
/// the API's JSON. Shared by the hub-vs-n8n comparison and the engine benchmark (bench/Hub.EngineBench links it).
/// </summary>
internal static class HubLaunch
{
    internal static string FindFunc(string root)
    {
        foreach (var directory in Environment.GetEnvironmentVariable("PATH")?.Split(':') ?? [])
        {
            var candidate = Path.Combine(directory, "func");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        // The kit sits in a 'shared' folder beside the checkout or one of its parents (worktrees are one level deeper).
        for (var directory = new DirectoryInfo(root); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "functions-host", "func");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No Functions host: install Core Tools (func) or put the kit at ../shared/functions-host.");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task<HttpResponseMessage?> TryGetAsync(HttpClient http, string url)
    {
        try
        {
            return await http.GetAsync(url);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    internal static async Task WaitAsync(ManagedProcess process, Func<Task<bool>> ready, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await ready())
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited; {process.Log}:{Environment.NewLine}{process.Tail(30)}");
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{process.Name} was not ready within {timeout.TotalSeconds:0} s; {process.Log}:{Environment.NewLine}{process.Tail(30)}");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    internal static async Task<JsonNode> Json(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {text[..Math.Min(500, text.Length)]}");
            }

            return JsonNode.Parse(text) ?? new JsonObject();
        }
    }
}
