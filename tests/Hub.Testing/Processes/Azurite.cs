using System.Net.Sockets;
using IntegrationHub.TestDoubles.Cosmos;

namespace IntegrationHub.TestDoubles.Processes;

/// <summary>
/// Azurite (<c>tools/azurite</c>, npm azurite 3.35.0), in memory on three free loopback ports: the storage
/// the Functions host keeps its timer schedules, locks and keys in. One per test process (<see cref="SharedAsync"/>);
/// hosts sharing it keep apart by host id.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account key.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<Azurite>> Shared = new(() => StartAsync());

    private readonly SupervisedProcess _process;

    private Azurite(SupervisedProcess process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    /// <summary>The blob service's port.</summary>
    public int BlobPort { get; }

    /// <summary>The queue service's port.</summary>
    public int QueuePort { get; }

    /// <summary>The table service's port.</summary>
    public int TablePort { get; }

    /// <summary>The connection string, with explicit endpoints (what <c>AzureWebJobsStorage</c> takes).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    /// <summary>The test process's Azurite, started on first use.</summary>
    public static Task<Azurite> SharedAsync() => Shared.Value;

    /// <summary>Starts an Azurite of its own and waits until its three ports accept connections.</summary>
    public static async Task<Azurite> StartAsync()
    {
        var bin = Path.Combine(RepositoryRoot.Path, "tools", "azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(bin))
        {
            throw new InvalidOperationException($"{bin} is missing: run 'npm ci --prefix tools/azurite' (scripts/test.sh does).");
        }

        var (blob, queue, table) = (CosmosEmulator.FreePort(), CosmosEmulator.FreePort(), CosmosEmulator.FreePort());
        var process = SupervisedProcess.Start(
            "Azurite",
            bin,
            [
                "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--loose",
                "--blobHost", "127.0.0.1", "--blobPort", $"{blob}",
                "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
                "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
            ]);
        var azurite = new Azurite(process, blob, queue, table);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var port in new[] { blob, queue, table })
        {
            while (!await AcceptsAsync(port))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    await process.StopAsync();
                    throw new InvalidOperationException($"Azurite did not listen on {port}: {string.Join('\n', process.Lines.TakeLast(20))}");
                }

                await Task.Delay(100);
            }
        }

        return azurite;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
