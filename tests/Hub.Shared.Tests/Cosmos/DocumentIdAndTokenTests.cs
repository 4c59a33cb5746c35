using System.Text;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.TestDoubles.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace IntegrationHub.Shared.Tests.Cosmos;

/// <summary>
/// Issue 13, faults 1 and 2 at the store layer: ids that cannot name a document never reach the store,
/// and continuation tokens the hub did not issue for the query are refused before the store sees them.
/// </summary>
public sealed class DocumentIdAndTokenTests : IAsyncLifetime
{
    private HubCosmos _cosmos = null!;
    private DocumentSet<DocumentSetTests.Note> _notes = null!;

    /// <summary>Ids from the issue (after URL decoding by the API) and Cosmos' forbidden characters.</summary>
    public static TheoryData<string> BadIds => new()
    {
        "..", ".", "%2e%2e", "%ff", "\uFFFD", "a\\b", "a/b", "a?b", "a#b", "a%b", "a b", "a\u0001b", "-leading-dash", "",
        new string('x', DocumentIds.MaxLength + 1),
    };

    /// <summary>Tokens from the issue: garbage, numbers, base64, JSON shaped like the SDK's own.</summary>
    public static TheoryData<string> BadTokens => new()
    {
        "garbage",
        "-1",
        "99999",
        Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"token\":\"1\"}")),
        "{\"token\":\"+RID:~abc==#RT:1#TRC:3\",\"range\":{\"min\":\"\",\"max\":\"FF\"}}",
        "[{\"compositeToken\":{\"token\":null,\"range\":{\"min\":\"\",\"max\":\"FF\"}},\"orderByItems\":[{\"item\":5}],\"rid\":\"x\",\"skipCount\":0}]",
        "eyJ2IjoyLCJxIjoiYWJjIiwidCI6IjEifQ", // base64url of {"v":2,"q":"abc","t":"1"}: our shape, wrong version
        new string('A', ContinuationTokens.MaxLength + 1),
    };

    public async Task InitializeAsync()
    {
        var emulator = await SharedCosmosEmulator.GetAsync();
        var options = new CosmosOptions { Endpoint = emulator.Endpoint, Key = CosmosEmulator.Key, Database = SharedCosmosEmulator.NewDatabaseName("ids"), UseGatewayOnly = true };
        _cosmos = new HubCosmos(Options.Create(options), [new ContainerDefinition("notes")]);
        await _cosmos.EnsureCreatedAsync(CancellationToken.None);
        _notes = _cosmos.Documents<DocumentSetTests.Note>("notes");
    }

    public Task DisposeAsync()
    {
        _cosmos.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task An_invalid_id_reads_as_missing_deletes_nothing_and_is_refused_on_write(string id)
    {
        await _notes.CreateAsync(new DocumentSetTests.Note { Id = "keep", TenantId = "t1", Text = "still here" }, default);

        Assert.Null(await _notes.ReadAsync("t1", id, default));
        Assert.Null(await _notes.ReadAsync(id, "keep", default));
        Assert.False(await _notes.DeleteAsync("t1", id, null, default));
        var refused = await Assert.ThrowsAsync<InvalidDocumentIdException>(() => _notes.CreateAsync(new DocumentSetTests.Note { Id = id, TenantId = "t1" }, default));
        await Assert.ThrowsAsync<InvalidDocumentIdException>(() => _notes.UpsertAsync(new DocumentSetTests.Note { Id = "fine", TenantId = id }, default));
        Assert.NotEmpty(refused.Reason);
        Assert.Equal("still here", (await _notes.ReadAsync("t1", "keep", default))!.Text);
        Assert.True((await SharedCosmosEmulator.GetAsync()).IsRunning);
    }

    [Theory]
    [InlineData("cred-0123456789abcdef0123")]
    [InlineData("int-0b7d2c:state")]
    [InlineData("run-0123456789abcdef0123456789abcdef")]
    [InlineData("acme")]
    [InlineData("nightly.aggregation_v2")]
    [InlineData("_operator")]
    public void Ids_the_hub_makes_are_valid(string id) => Assert.True(DocumentIds.IsValid(id));

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_token_the_hub_did_not_issue_is_refused_as_invalid_not_as_an_outage(string token)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.position");

        var refused = await Assert.ThrowsAsync<InvalidContinuationTokenException>(() => _notes.QueryPageAsync(query, "t1", 2, token, default));

        Assert.NotEmpty(refused.Reason);
    }

    [Fact]
    public async Task A_token_of_one_list_is_refused_on_another_list_and_works_on_its_own()
    {
        for (var i = 0; i < 4; i++)
        {
            await _notes.CreateAsync(new DocumentSetTests.Note { Id = $"n{i}", TenantId = "lists", Position = i }, default);
        }

        var byPosition = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.position");
        var first = await _notes.QueryPageAsync(byPosition, "lists", 2, null, default);
        var other = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND c.text = @text ORDER BY c.position").WithParameter("@text", "x");

        await Assert.ThrowsAsync<InvalidContinuationTokenException>(() => _notes.QueryPageAsync(other, "lists", 2, first.ContinuationToken, default));
        await Assert.ThrowsAsync<InvalidContinuationTokenException>(() => _notes.QueryPageAsync(byPosition, "other-tenant", 2, first.ContinuationToken, default));
        var second = await _notes.QueryPageAsync(byPosition, "lists", 2, first.ContinuationToken, default);
        Assert.Equal([0, 1], first.Items.Select(n => n.Position));
        Assert.Equal([2, 3], second.Items.Select(n => n.Position));
    }

    [Fact]
    public async Task An_empty_token_is_the_first_page()
    {
        await _notes.CreateAsync(new DocumentSetTests.Note { Id = "only", TenantId = "empty-token" }, default);

        var page = await _notes.QueryPageAsync(new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId"), "empty-token", 10, string.Empty, default);

        Assert.Single(page.Items);
    }
}
