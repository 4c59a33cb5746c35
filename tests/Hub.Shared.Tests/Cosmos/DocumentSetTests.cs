using IntegrationHub.Shared.Cosmos;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Shared.Tests.Cosmos;

/// <summary>The store layer against the local Cosmos DB emulator: CRUD, and no silent overwrite on a stale ETag.</summary>
public sealed class DocumentSetTests : IAsyncLifetime
{
    private HubCosmos _cosmos = null!;
    private DocumentSet<Note> _notes = null!;

    public sealed record Note : TenantDocument
    {
        public string Text { get; init; } = string.Empty;

        public int Position { get; init; }
    }

    public async Task InitializeAsync()
    {
        var emulator = await SharedCosmosEmulator.GetAsync();
        var options = new CosmosOptions
        {
            Endpoint = emulator.Endpoint,
            Key = CosmosEmulator.Key,
            Database = SharedCosmosEmulator.NewDatabaseName("docs"),
            UseGatewayOnly = true,
        };
        _cosmos = new HubCosmos(Options.Create(options), [new ContainerDefinition("notes")]);
        await _cosmos.EnsureCreatedAsync(CancellationToken.None);
        _notes = _cosmos.Documents<Note>("notes");
    }

    public Task DisposeAsync()
    {
        _cosmos.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_container_is_created_with_its_unindexed_paths_left_out_of_the_index()
    {
        var emulator = await SharedCosmosEmulator.GetAsync();
        var options = new CosmosOptions { Endpoint = emulator.Endpoint, Key = CosmosEmulator.Key, Database = SharedCosmosEmulator.NewDatabaseName("index"), UseGatewayOnly = true };
        using var cosmos = new HubCosmos(Options.Create(options), [new ContainerDefinition("pages", UnindexedPaths: ["/events/*"])]);

        await cosmos.EnsureCreatedAsync(CancellationToken.None);
        var properties = (await cosmos.Container("pages").ReadContainerAsync()).Resource;

        Assert.Contains(properties.IndexingPolicy.ExcludedPaths, p => p.Path == "/events/*");
    }

    [Fact]
    public async Task Created_documents_read_back_with_an_etag()
    {
        var created = await _notes.CreateAsync(new Note { Id = "n1", TenantId = "t1", Text = "hello" }, default);

        var read = await _notes.ReadAsync("t1", "n1", default);

        Assert.NotNull(created.ETag);
        Assert.Equal("hello", read!.Text);
        Assert.Equal(created.ETag, read.ETag);
    }

    [Fact]
    public async Task A_missing_document_reads_as_null()
    {
        Assert.Null(await _notes.ReadAsync("t1", "does-not-exist", default));
    }

    [Fact]
    public async Task Another_tenant_cannot_read_the_document()
    {
        await _notes.CreateAsync(new Note { Id = "private", TenantId = "t1" }, default);

        Assert.Null(await _notes.ReadAsync("t2", "private", default));
    }

    [Fact]
    public async Task Creating_an_existing_id_is_refused()
    {
        await _notes.CreateAsync(new Note { Id = "dup", TenantId = "t1" }, default);

        await Assert.ThrowsAsync<DocumentExistsException>(() => _notes.CreateAsync(new Note { Id = "dup", TenantId = "t1", Text = "second" }, default));
        Assert.Equal(string.Empty, (await _notes.ReadAsync("t1", "dup", default))!.Text);
    }

    [Fact]
    public async Task A_replace_with_the_current_etag_wins_and_a_stale_one_is_a_conflict()
    {
        var original = await _notes.CreateAsync(new Note { Id = "race", TenantId = "t1", Text = "v1" }, default);
        var first = await _notes.ReplaceAsync(original with { Text = "first writer" }, default);

        var stale = _notes.ReplaceAsync(original with { Text = "second writer" }, default);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => stale);
        Assert.NotEqual(original.ETag, first.ETag);
        Assert.Equal("first writer", (await _notes.ReadAsync("t1", "race", default))!.Text);
    }

    [Fact]
    public async Task A_stale_delete_is_a_conflict_and_deletes_nothing()
    {
        var original = await _notes.CreateAsync(new Note { Id = "keep", TenantId = "t1", Text = "v1" }, default);
        await _notes.ReplaceAsync(original with { Text = "v2" }, default);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _notes.DeleteAsync("t1", "keep", original.ETag, default));
        Assert.NotNull(await _notes.ReadAsync("t1", "keep", default));
    }

    [Fact]
    public async Task Deleting_removes_and_a_second_delete_reports_nothing_there()
    {
        var note = await _notes.CreateAsync(new Note { Id = "gone", TenantId = "t1" }, default);

        Assert.True(await _notes.DeleteAsync("t1", "gone", note.ETag, default));
        Assert.False(await _notes.DeleteAsync("t1", "gone", null, default));
        Assert.Null(await _notes.ReadAsync("t1", "gone", default));
    }

    [Fact]
    public async Task Queries_page_in_order_with_continuation_tokens()
    {
        for (var i = 0; i < 7; i++)
        {
            await _notes.CreateAsync(new Note { Id = $"p{i}", TenantId = "paging", Position = i }, default);
        }

        var query = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.position DESC");
        var seen = new List<int>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _notes.QueryPageAsync(query, "paging", 3, token, default);
            seen.AddRange(page.Items.Select(n => n.Position));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal([6, 5, 4, 3, 2, 1, 0], seen);
        Assert.Equal(3, pages);
    }
}
