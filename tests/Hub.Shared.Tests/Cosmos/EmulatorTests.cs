using System.Net;
using System.Net.Sockets;
using System.Text;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Shared.Tests.Cosmos;

/// <summary>
/// The local emulator wrapper (tools/cosmos/server.js): a request it cannot serve is answered, never fatal
/// (issue 13, fault 1), and with a data directory an acknowledged write survives a kill -9.
/// </summary>
public sealed class EmulatorTests
{
    [Theory]
    [InlineData("/dbs/%ff")]
    [InlineData("/dbs/db/colls/c/docs/%ff")]
    [InlineData("/dbs/db/colls/c/docs/%E0%A4%A")]
    [InlineData("/dbs/db/colls/%2e%2e/docs/x")]
    [InlineData("/dbs/db/colls/c/docs/..")]
    [InlineData("/no/such/route")]
    public async Task A_request_it_cannot_serve_is_answered_with_a_json_error_and_the_emulator_stays_up(string path)
    {
        await using var emulator = await CosmosEmulator.StartAsync();

        // Raw bytes on a socket: HttpClient would normalise or refuse these paths before sending them.
        var (status, body) = await RawGetAsync(emulator.Port, path);

        Assert.InRange(status, 400, 404);
        Assert.StartsWith("{", body, StringComparison.Ordinal);
        Assert.True(emulator.IsRunning);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(emulator.Endpoint))).StatusCode);
    }

    [Fact]
    public async Task An_acknowledged_write_survives_kill_9_and_a_restart_with_a_data_directory()
    {
        await InDataDirectoryAsync(async data =>
        {
            await using var emulator = await CosmosEmulator.StartAsync(dataDirectory: data);
            var options = OptionsFor(emulator, "persist");
            using (var cosmos = new HubCosmos(options, [new ContainerDefinition("notes")]))
            {
                await cosmos.EnsureCreatedAsync(default);
                var notes = cosmos.Documents<DocumentSetTests.Note>("notes");
                var created = await notes.CreateAsync(new DocumentSetTests.Note { Id = "kept", TenantId = "t1", Text = "v1" }, default);
                await notes.ReplaceAsync(created with { Text = "v2" }, default);
                await notes.CreateAsync(new DocumentSetTests.Note { Id = "removed", TenantId = "t1" }, default);
                await notes.DeleteAsync("t1", "removed", null, default);
            }

            await emulator.KillAsync(); // SIGKILL: no shutdown hook runs
            await emulator.RestartAsync();

            using var again = new HubCosmos(options, [new ContainerDefinition("notes")]);
            var reread = again.Documents<DocumentSetTests.Note>("notes");
            Assert.Equal("v2", (await reread.ReadAsync("t1", "kept", default))!.Text);
            Assert.Null(await reread.ReadAsync("t1", "removed", default));
            var replaced = await reread.ReplaceAsync((await reread.ReadAsync("t1", "kept", default))! with { Text = "v3" }, default);
            Assert.Equal("v3", replaced.Text);
        });
    }

    [Fact]
    public async Task A_write_torn_by_a_crash_mid_entry_is_dropped_and_every_write_before_it_survives()
    {
        await InDataDirectoryAsync(async data =>
        {
            await using var emulator = await CosmosEmulator.StartAsync(dataDirectory: data);
            var options = OptionsFor(emulator, "torn");
            using (var cosmos = new HubCosmos(options, [new ContainerDefinition("notes")]))
            {
                await cosmos.EnsureCreatedAsync(default);
                var notes = cosmos.Documents<DocumentSetTests.Note>("notes");
                await notes.CreateAsync(new DocumentSetTests.Note { Id = "whole", TenantId = "t1", Text = new string('a', 200_000) }, default);
                await notes.CreateAsync(new DocumentSetTests.Note { Id = "torn", TenantId = "t1", Text = new string('b', 200_000) }, default);
            }

            await emulator.KillAsync();
            var journal = Path.Combine(data, "cosmos-journal");
            await using (var file = new FileStream(journal, FileMode.Open))
            {
                file.SetLength(file.Length - 1_000); // the last entry's body cut short, as a crash mid-write leaves it
            }

            await emulator.RestartAsync();

            using var again = new HubCosmos(options, [new ContainerDefinition("notes")]);
            var reread = again.Documents<DocumentSetTests.Note>("notes");
            Assert.Equal(200_000, (await reread.ReadAsync("t1", "whole", default))!.Text.Length);
            Assert.Null(await reread.ReadAsync("t1", "torn", default));
        });
    }

    [Fact]
    public async Task A_journal_of_the_first_format_with_base64_bodies_replays_and_is_replaced()
    {
        await InDataDirectoryAsync(async data =>
        {
            // What an emulator before the raw-body journal left: one JSON line per mutation, the body base64 in "b".
            static string Line(string url, string body, string? partitionKey = null) => System.Text.Json.JsonSerializer.Serialize(new
            {
                m = "POST",
                u = url,
                h = partitionKey is null
                    ? new Dictionary<string, string> { ["content-type"] = "application/json" }
                    : new Dictionary<string, string> { ["content-type"] = "application/json", ["x-ms-documentdb-partitionkey"] = partitionKey },
                b = Convert.ToBase64String(Encoding.UTF8.GetBytes(body)),
            });
            await File.WriteAllLinesAsync(Path.Combine(data, "cosmos-journal.ndjson"),
            [
                Line("/dbs", """{"id":"legacy"}"""),
                Line("/dbs/legacy/colls", """{"id":"notes","partitionKey":{"paths":["/tenantId"],"kind":"Hash"}}"""),
                Line("/dbs/legacy/colls/notes/docs", """{"id":"old","tenantId":"t1","text":"from the first format"}""", """["t1"]"""),
            ]);

            await using var emulator = await CosmosEmulator.StartAsync(dataDirectory: data);

            var options = OptionsFor(emulator, "legacy");
            using var cosmos = new HubCosmos(options, [new ContainerDefinition("notes")]);
            Assert.Equal("from the first format", (await cosmos.Documents<DocumentSetTests.Note>("notes").ReadAsync("t1", "old", default))!.Text);
            Assert.False(File.Exists(Path.Combine(data, "cosmos-journal.ndjson")));
            Assert.True(File.Exists(Path.Combine(data, "cosmos-journal")));
        });
    }

    [Fact]
    public async Task Without_a_data_directory_a_restart_starts_empty()
    {
        await using var emulator = await CosmosEmulator.StartAsync();
        var options = OptionsFor(emulator, "volatile");
        using (var cosmos = new HubCosmos(options, [new ContainerDefinition("notes")]))
        {
            await cosmos.EnsureCreatedAsync(default);
            await cosmos.Documents<DocumentSetTests.Note>("notes").CreateAsync(new DocumentSetTests.Note { Id = "gone", TenantId = "t1" }, default);
        }

        await emulator.KillAsync();
        await emulator.RestartAsync();

        using var http = new HttpClient();
        var databases = await http.GetStringAsync(new Uri(emulator.Endpoint + "dbs"));
        Assert.DoesNotContain("volatile", databases, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_asking_for_no_content_back_is_answered_with_its_etag_only_and_the_document_reads_as_written()
    {
        await using var emulator = await CosmosEmulator.StartAsync();
        var options = OptionsFor(emulator, "minimal");
        using var cosmos = new HubCosmos(options, [new ContainerDefinition("notes")]);
        await cosmos.EnsureCreatedAsync(default);

        var response = await cosmos.Container("notes").UpsertItemAsync(
            new DocumentSetTests.Note { Id = "n1", TenantId = "t1", Text = "v1" },
            new Microsoft.Azure.Cosmos.PartitionKey("t1"),
            new Microsoft.Azure.Cosmos.ItemRequestOptions { EnableContentResponseOnWrite = false });
        var notes = cosmos.Documents<DocumentSetTests.Note>("notes");
        var replaced = await notes.ReplaceAsync(new DocumentSetTests.Note { Id = "n1", TenantId = "t1", Text = "v2", ETag = response.ETag }, default);

        Assert.Null(response.Resource); // as the service answers "Prefer: return=minimal": no document to decode
        Assert.False(string.IsNullOrEmpty(response.ETag));
        Assert.Equal(("v2", replaced.ETag), ((await notes.ReadAsync("t1", "n1", default))!.Text, (await notes.ReadAsync("t1", "n1", default))!.ETag));
    }

    // A fresh data directory for the emulator's journal, removed after the test.
    private static async Task InDataDirectoryAsync(Func<string, Task> test)
    {
        var data = Directory.CreateTempSubdirectory("cosmos-data-");
        try
        {
            await test(data.FullName);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static IOptions<CosmosOptions> OptionsFor(CosmosEmulator emulator, string database) =>
        Options.Create(new CosmosOptions { Endpoint = emulator.Endpoint, Key = CosmosEmulator.Key, Database = database, UseGatewayOnly = true });

    private static async Task<(int Status, string Body)> RawGetAsync(int port, string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        return (status, body);
    }
}
