using System.Runtime.CompilerServices;
using Microsoft.Azure.Cosmos;

namespace IntegrationHub.Shared.Cosmos;

/// <summary>One page of a query, and the token that continues it (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>
/// The typed operations a store needs on one container of <see cref="TenantDocument"/>s, with the
/// hub's concurrency rules built in: a replace or delete presents the ETag it read, and a stale one is
/// a <see cref="ConcurrencyConflictException"/>, never a silent overwrite.
/// </summary>
/// <remarks>
/// <para>Stores (integrations, credentials, runs, ...) compose this and expose their own domain operations;
/// it is not a generic repository that callers query directly.</para>
/// <para>Every id and tenant id is checked against <see cref="DocumentIds"/> before a request is sent: a
/// read or delete of an id that breaks the rule finds nothing (null, false) because nothing can be stored
/// under it; a write throws <see cref="InvalidDocumentIdException"/>. Continuation tokens are the hub's own
/// (<see cref="ContinuationTokens"/>): a token that is not, or that the store refuses, is an
/// <see cref="InvalidContinuationTokenException"/>.</para>
/// </remarks>
public sealed class DocumentSet<T>
    where T : TenantDocument
{
    private readonly Container _container;

    /// <summary>Wraps <paramref name="container"/>.</summary>
    public DocumentSet(Container container) => _container = container;

    /// <summary>The container's id, for messages.</summary>
    public string Name => _container.Id;

    /// <summary>Reads a document, or null when the tenant has none with that id.</summary>
    public async Task<T?> ReadAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        if (!DocumentIds.IsValid(id) || !DocumentIds.IsValid(tenantId))
        {
            return null;
        }

        try
        {
            var response = await _container.ReadItemAsync<T>(id, new PartitionKey(tenantId), cancellationToken: cancellationToken);
            return WithETag(response);
        }
        catch (CosmosException e) when (e.IsNotFound())
        {
            return null;
        }
    }

    /// <summary>
    /// Reads the documents with <paramref name="ids"/> in one tenant's partition in one request (the SDK's
    /// <c>ReadManyItemsAsync</c>); ids that are not stored, or break the id rule, are simply absent from the result.
    /// </summary>
    public async Task<IReadOnlyList<T>> ReadManyAsync(string tenantId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (!DocumentIds.IsValid(tenantId))
        {
            return [];
        }

        var partition = new PartitionKey(tenantId);
        var items = ids.Where(DocumentIds.IsValid).Distinct(StringComparer.Ordinal).Select(id => (id, partition)).ToList();
        if (items.Count == 0)
        {
            return [];
        }

        var response = await _container.ReadManyItemsAsync<T>(items, cancellationToken: cancellationToken);
        return response.Where(d => d.TenantId == tenantId).ToList();
    }

    /// <summary>Creates a document; <see cref="DocumentExistsException"/> when the id is taken.</summary>
    public async Task<T> CreateAsync(T document, CancellationToken cancellationToken)
    {
        RequireValidIds(document);
        try
        {
            var response = await _container.CreateItemAsync(document with { ETag = null }, new PartitionKey(document.TenantId), cancellationToken: cancellationToken);
            return Written(document, response);
        }
        catch (CosmosException e) when (e.IsConflict())
        {
            throw new DocumentExistsException($"A document '{document.Id}' already exists in '{Name}'.", e);
        }
    }

    /// <summary>Creates a document unless its id is taken; then the stored one is returned as it is (<c>Created</c> false).</summary>
    public async Task<(bool Created, T Document)> CreateOrReadAsync(T document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        try
        {
            return (true, await CreateAsync(document, cancellationToken));
        }
        catch (DocumentExistsException)
        {
            // Created by a concurrent writer between our attempt and now: theirs stands.
            return (false, (await ReadAsync(document.TenantId, document.Id, cancellationToken))!);
        }
    }

    /// <summary>Reads a document, creating it with <paramref name="create"/> on first use (a concurrent first use reads the winner's).</summary>
    public async Task<T> ReadOrCreateAsync(string tenantId, string id, Func<T> create, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(create);
        return await ReadAsync(tenantId, id, cancellationToken) ?? (await CreateOrReadAsync(create(), cancellationToken)).Document;
    }

    /// <summary>
    /// Replaces a document if it is still at the version <paramref name="document"/> carries in its ETag.
    /// A document without an ETag is refused: every update starts from a read.
    /// </summary>
    public async Task<T> ReplaceAsync(T document, CancellationToken cancellationToken)
    {
        if (document.ETag is null)
        {
            throw new InvalidOperationException($"Replacing '{document.Id}' in '{Name}' needs the ETag it was read with.");
        }

        RequireValidIds(document);

        try
        {
            var response = await _container.ReplaceItemAsync(
                document with { ETag = null },
                document.Id,
                new PartitionKey(document.TenantId),
                new ItemRequestOptions { IfMatchEtag = document.ETag },
                cancellationToken);
            return Written(document, response);
        }
        catch (CosmosException e) when (e.IsPreconditionFailed())
        {
            throw new ConcurrencyConflictException($"'{document.Id}' in '{Name}' was changed by someone else since it was read.", e);
        }
        catch (CosmosException e) when (e.IsNotFound())
        {
            throw new ConcurrencyConflictException($"'{document.Id}' in '{Name}' was deleted since it was read.", e);
        }
    }

    /// <summary>Creates or overwrites a document unconditionally. Only for documents with a single writer by construction.</summary>
    public async Task<T> UpsertAsync(T document, CancellationToken cancellationToken)
    {
        RequireValidIds(document);
        var response = await _container.UpsertItemAsync(document with { ETag = null }, new PartitionKey(document.TenantId), cancellationToken: cancellationToken);
        return Written(document, response);
    }

    /// <summary>Deletes a document, at <paramref name="etag"/> when one is given. False when it was not there.</summary>
    public async Task<bool> DeleteAsync(string tenantId, string id, string? etag, CancellationToken cancellationToken)
    {
        if (!DocumentIds.IsValid(id) || !DocumentIds.IsValid(tenantId))
        {
            return false;
        }

        try
        {
            await _container.DeleteItemAsync<T>(id, new PartitionKey(tenantId), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
            return true;
        }
        catch (CosmosException e) when (e.IsNotFound())
        {
            return false;
        }
        catch (CosmosException e) when (e.IsPreconditionFailed())
        {
            throw new ConcurrencyConflictException($"'{id}' in '{Name}' was changed by someone else since it was read.", e);
        }
    }

    /// <summary>
    /// One page of a query, within one tenant's partition when <paramref name="tenantId"/> is given.
    /// A tenant-scoped query must also filter on <c>c.tenantId = @tenantId</c> (the parameter is added here):
    /// the partition key option alone is not a filter on every store this hub runs against.
    /// </summary>
    /// <param name="query">The query.</param>
    /// <param name="tenantId">The tenant whose partition is read; null: every partition.</param>
    /// <param name="pageSize">The most items on the page.</param>
    /// <param name="continuationToken">Null or empty for the first page; otherwise the <see cref="Page{T}.ContinuationToken"/> of the previous page of the same query.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="InvalidContinuationTokenException">The token is not one this set issued for this query, or the store refused it (a 400).</exception>
    public async Task<Page<T>> QueryPageAsync(QueryDefinition query, string? tenantId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        if (tenantId is not null && !DocumentIds.IsValid(tenantId))
        {
            return new Page<T>([], null);
        }

        var options = Scoped(ref query, tenantId);
        options.MaxItemCount = pageSize;
        var fingerprint = ContinuationTokens.Fingerprint(query, tenantId);
        var storeToken = ContinuationTokens.Unwrap(continuationToken, fingerprint);

        try
        {
            using var iterator = _container.GetItemQueryIterator<T>(query, storeToken, options);
            if (!iterator.HasMoreResults)
            {
                return new Page<T>([], null);
            }

            var response = await iterator.ReadNextAsync(cancellationToken);
            return new Page<T>(response.ToList(), ContinuationTokens.Wrap(response.ContinuationToken, fingerprint));
        }
        catch (CosmosException e) when (storeToken is not null && e.StatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            throw new InvalidContinuationTokenException("is no longer accepted by the store; list again from the first page.", e);
        }
    }

    /// <summary>
    /// One page of the items held inside the documents a query returns (a document holds many items, in order):
    /// documents are read one per request, in the query's order, until <paramref name="pageSize"/> items are taken,
    /// so a page costs the documents it takes items from, not the whole result. The continuation token is the hub's
    /// own (<see cref="ContinuationTokens"/>) and names the document to go on from (the store's token before it) and
    /// the offset in it.
    /// </summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <param name="query">The query; tenant-scoped like <see cref="QueryPageAsync"/>.</param>
    /// <param name="tenantId">The tenant whose partition is read.</param>
    /// <param name="pageSize">The most items on the page (at least 1).</param>
    /// <param name="continuationToken">Null or empty for the first page; otherwise the token of the previous page of the same query.</param>
    /// <param name="itemsOf">The items of a document, in order; <paramref name="pageSize"/> bounds how many are taken from the offset on.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <exception cref="InvalidContinuationTokenException">The token is not one this set issued for this query, or the store refused it.</exception>
    public async Task<Page<TItem>> QueryItemsPageAsync<TItem>(
        QueryDefinition query,
        string tenantId,
        int pageSize,
        string? continuationToken,
        Func<T, int, int, (IReadOnlyList<TItem> Items, int Total)> itemsOf,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(itemsOf);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        if (!DocumentIds.IsValid(tenantId))
        {
            return new Page<TItem>([], null);
        }

        var options = Scoped(ref query, tenantId);
        options.MaxItemCount = 1;
        var fingerprint = ContinuationTokens.Fingerprint(query, tenantId) + ":items";
        var position = ItemPosition.Parse(ContinuationTokens.Unwrap(continuationToken, fingerprint));
        var items = new List<TItem>(Math.Min(pageSize, 1000));
        var storeToken = position.StoreToken;
        var offset = position.Offset;
        try
        {
            using var iterator = _container.GetItemQueryIterator<T>(query, storeToken, options);
            while (iterator.HasMoreResults)
            {
                var response = await iterator.ReadNextAsync(cancellationToken);
                foreach (var document in response)
                {
                    var (taken, total) = itemsOf(document, offset, pageSize - items.Count);
                    items.AddRange(taken);
                    if (offset + taken.Count < total)
                    {
                        // The page is full inside this document: go on from it, after what was taken.
                        return new Page<TItem>(items, ContinuationTokens.Wrap(new ItemPosition(storeToken, offset + taken.Count).ToString(), fingerprint));
                    }

                    offset = 0;
                }

                storeToken = response.ContinuationToken;
                if (items.Count >= pageSize)
                {
                    return new Page<TItem>(items, storeToken is null ? null : ContinuationTokens.Wrap(new ItemPosition(storeToken, 0).ToString(), fingerprint));
                }
            }

            return new Page<TItem>(items, null);
        }
        catch (CosmosException e) when (position.StoreToken is not null && e.StatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            throw new InvalidContinuationTokenException("is no longer accepted by the store; list again from the first page.", e);
        }
    }

    /// <summary>Streams every result of a query, page by page, without holding more than one page.</summary>
    public async IAsyncEnumerable<T> QueryAsync(QueryDefinition query, string? tenantId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = Scoped(ref query, tenantId);

        using var iterator = _container.GetItemQueryIterator<T>(query, requestOptions: options);
        while (iterator.HasMoreResults)
        {
            var response = await iterator.ReadNextAsync(cancellationToken);
            foreach (var item in response)
            {
                yield return item;
            }
        }
    }

    private static QueryRequestOptions Scoped(ref QueryDefinition query, string? tenantId)
    {
        var options = new QueryRequestOptions();
        if (tenantId is null)
        {
            return options;
        }

        if (!query.QueryText.Contains("c.tenantId = @tenantId", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"A tenant-scoped query must filter on 'c.tenantId = @tenantId': {query.QueryText}");
        }

        if (!query.GetQueryParameters().Any(p => p.Name == "@tenantId"))
        {
            query = query.WithParameter("@tenantId", tenantId);
        }

        options.PartitionKey = new PartitionKey(tenantId);
        return options;
    }

    private static void RequireValidIds(T document)
    {
        if (DocumentIds.Problem(document.Id) is { } idProblem)
        {
            throw new InvalidDocumentIdException(document.Id, idProblem);
        }

        if (DocumentIds.Problem(document.TenantId) is { } tenantProblem)
        {
            throw new InvalidDocumentIdException(document.TenantId, tenantProblem);
        }
    }

    // The emulator does not always echo _etag in the body; the response header is authoritative.
    private static T WithETag(ItemResponse<T> response) => response.Resource with { ETag = response.ETag ?? response.Resource.ETag };

    // Writes ask for no content back (HubCosmos: EnableContentResponseOnWrite = false): Cosmos DB stores the document as
    // sent, so the written document with the new ETag is what a read would return, without encoding it back and forth.
    private static T Written(T document, ItemResponse<T> response) => (response.Resource ?? document) with { ETag = response.ETag };
}

/// <summary>Where a <see cref="DocumentSet{T}.QueryItemsPageAsync{TItem}"/> page goes on: the store's token before a document (null: the first) and the offset in it.</summary>
internal readonly record struct ItemPosition(string? StoreToken, int Offset)
{
    private const string Start = "start";

    /// <summary>The position inside a hub token's payload (null: the first page).</summary>
    /// <exception cref="InvalidContinuationTokenException">Not a position this hub wrote.</exception>
    public static ItemPosition Parse(string? payload)
    {
        if (payload is null)
        {
            return new ItemPosition(null, 0);
        }

        var bar = payload.IndexOf('|', StringComparison.Ordinal);
        if (bar <= 0 || !int.TryParse(payload.AsSpan(0, bar), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset) || offset < 0)
        {
            throw new InvalidContinuationTokenException("is not a continuation token of this list; pass the continuationToken of the previous page unchanged, or omit it for the first page.");
        }

        var store = payload[(bar + 1)..];
        return new ItemPosition(store == Start ? null : store, offset);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Offset.ToString(System.Globalization.CultureInfo.InvariantCulture)}|{StoreToken ?? Start}";
}
