using IntegrationHub.Connectors;
using IntegrationHub.Shared.Events;

namespace IntegrationHub.Core.Runs.Steps;

/// <summary>
/// A connector's pages, one at a time, each with its records' events (made by the caller's <c>prepare</c>: transformed,
/// enveloped, encoded), with an optional read-ahead of one page: after <see cref="ReadAhead"/> the source's next page
/// is requested, parsed and prepared on the thread pool while the caller publishes and commits the current one.
/// Memory: at most two pages. Used for full-refresh reads, which read on within one call; an incremental read, which
/// ends its call after one page, never asks the source for a page it will not use.
/// </summary>
/// <remarks>
/// A read-ahead that fails (a rate limit, a network error, a transform that throws) fails the <see cref="NextAsync"/>
/// that would have returned its page, after the current page was committed: the same order of events as without it.
/// A read-ahead still in flight when the caller stops is awaited (its result or error dropped) before the connector's
/// enumerator is disposed, as async enumerators require. <c>prepare</c> runs on one page at a time, never two at once.
/// </remarks>
internal sealed class PageReadAhead(IAsyncEnumerable<RecordPage> pages, Func<RecordPage, List<OutboundEvent>> prepare, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<RecordPage> _pages = pages.GetAsyncEnumerator(cancellationToken);
    private Task<(RecordPage Page, List<OutboundEvent> Events)?>? _ahead;

    /// <summary>The next page with its events in record order, or null after the last.</summary>
    public async Task<(RecordPage Page, List<OutboundEvent> Events)?> NextAsync()
    {
        if (_ahead is { } ahead)
        {
            _ahead = null;
            return await ahead;
        }

        return await ReadAsync();
    }

    /// <summary>Starts reading and preparing the page after the one <see cref="NextAsync"/> returned last (once per page).</summary>
    public void ReadAhead() => _ahead ??= Task.Run(ReadAsync, CancellationToken.None);

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

    private async Task<(RecordPage Page, List<OutboundEvent> Events)?> ReadAsync() =>
        await _pages.MoveNextAsync() ? (_pages.Current, prepare(_pages.Current)) : null;
}
