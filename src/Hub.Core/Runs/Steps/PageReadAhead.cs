using IntegrationHub.Connectors;

namespace IntegrationHub.Core.Runs.Steps;

/// <summary>
/// A connector's pages, one at a time, with an optional read-ahead of one page: after <see cref="ReadAhead"/> the
/// source's next page is requested and parsed while the caller publishes and commits the current one. Memory: at
/// most two pages. Used for full-refresh reads, which read on within one call; an incremental read, which ends its
/// call after one page, never asks the source for a page it will not use.
/// </summary>
/// <remarks>
/// A read-ahead that fails (a rate limit, a network error) fails the <see cref="NextAsync"/> that would have returned
/// its page, after the current page was committed: the same order of events as without it. A read-ahead still in
/// flight when the caller stops is awaited (its result or error dropped) before the connector's enumerator is
/// disposed, as async enumerators require.
/// </remarks>
internal sealed class PageReadAhead(IAsyncEnumerable<RecordPage> pages, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<RecordPage> _pages = pages.GetAsyncEnumerator(cancellationToken);
    private Task<bool>? _ahead;

    /// <summary>The next page, or null after the last.</summary>
    public async Task<RecordPage?> NextAsync()
    {
        var more = _ahead is { } ahead ? await ahead : await _pages.MoveNextAsync();
        _ahead = null;
        return more ? _pages.Current : null;
    }

    /// <summary>Starts reading the page after the one <see cref="NextAsync"/> returned last (once per page).</summary>
    public void ReadAhead() => _ahead ??= _pages.MoveNextAsync().AsTask();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ahead is { } ahead)
        {
            _ahead = null;
            await ((Task)ahead).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // a page nobody asked for: its error is nobody's
        }

        await _pages.DisposeAsync();
    }
}
