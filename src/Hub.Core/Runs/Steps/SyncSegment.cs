using System.Diagnostics;
using System.Text.Json;
using IntegrationHub.Connectors;
using IntegrationHub.Core.Events;
using IntegrationHub.Core.Integrations;
using IntegrationHub.Core.Webhooks;
using IntegrationHub.Secrets;
using IntegrationHub.Shared.Cosmos;
using IntegrationHub.Shared.Events;
using Microsoft.Extensions.Logging;

namespace IntegrationHub.Core.Runs.Steps;

/// <summary>
/// Runs a streaming segment of a flow — a <c>read</c>, the record steps after it, and the <c>publish</c>
/// that ends it — page by page: read a page, transform it, write it to the outbox, publish it, and only
/// then commit the cursor and the next sequence id to the integration's state. Memory holds one page.
/// </summary>
/// <remarks>
/// <para>Event identity: an event's id covers the record id, its version, the operation and the digest of the
/// mapped data (<see cref="EventIds"/>): a changed record is a new event even when the source has no version
/// (a full refresh). Pages of records without a version (full-refresh reads), and every page of an integration that
/// also receives webhooks (its connector takes them and it has a webhook secret), are checked against <see cref="RecordMemory"/> before the outbox: a record whose event id
/// is the one last published for its key is counted as <see cref="RunProgress.RecordsUnchanged"/> and is not
/// published to any sink. The memory is written after the sink acknowledged the page and before the cursor is
/// committed (a replay of the outbox page writes the same again): by position for a full-refresh read (one
/// document per page), by key for an integration that also receives webhooks.</para>
/// Exactly once, across crashes: the outbox holds the in-flight page with its deterministic event ids
/// and sequence ids; an instance that resumes the run publishes that page again (the sink drops what it
/// already has) before reading on from the committed cursor. A sink that is its own outbox (<see cref="IOutboxSink"/>,
/// the embedded event log) holds a page that fits one document instead, created with its commit data: the resuming
/// instance finds it at the committed next sequence id and commits it. A page is counted on the run before the
/// commit, once (<see cref="RunProgress.CountedThroughSequence"/>). A failed or cancelled run never moves the
/// cursor past a page that was not published.
/// </remarks>
internal sealed class SyncSegment(
    IntegrationStore integrations,
    IntegrationConnections connections,
    IEventSink sink,
    OutboxStore outbox,
    RecordMemory memory,
    IConnectorCatalog catalog,
    ISecretStore secrets,
    DeadLetterStore deadLetters,
    StepTypeRegistry stepTypes,
    RunStore runs,
    RunMetrics metrics,
    TimeProvider time,
    ILogger<SyncSegment> logger)
{
    /// <summary>
    /// Advances the segment <paramref name="first"/>..<paramref name="last"/> (the publish) by one page: republishes
    /// the in-flight outbox page if an interrupted attempt left one, else reads one page at the committed cursor,
    /// transforms it, writes it to the outbox, publishes it and commits the cursor and the next sequence id.
    /// </summary>
    /// <returns>
    /// <see cref="StepOutcome.Advanced"/> after a committed page (call again); <see cref="StepOutcome.Completed"/>
    /// when the source has nothing after the committed cursor; <see cref="StepOutcome.Wait"/> for a rate limit or
    /// another run holding the integration; <see cref="StepOutcome.Retry"/> for a transient failure (the cursor does
    /// not move); <see cref="StepOutcome.Fail"/> for a permanent one (auth, refused destination, invalid
    /// configuration), with the external system's reason.
    /// </returns>
    /// <remarks>Safe to call again with the same arguments after a crash at any point (activities run at least once).</remarks>
    public async Task<StepOutcome> RunPageAsync(Run run, int first, int last, CancellationToken cancellationToken)
    {
        var read = run.Definition[first];
        var publish = run.Definition[last];
        var integration = await integrations.GetAsync(run.TenantId, read.IntegrationId!, cancellationToken);
        if (integration is null)
        {
            return new StepOutcome.Fail($"Integration '{read.IntegrationId}' no longer exists.");
        }

        var state = await ClaimAsync(run, integration, cancellationToken);
        if (state is null)
        {
            return new StepOutcome.Wait(time.GetUtcNow().AddSeconds(30), null, "another run of this integration is in progress");
        }

        var transforms = run.Definition.Skip(first + 1).Take(last - first - 1).Select(s => stepTypes.Record(s.Type).Compile(s)).ToList();
        var topic = TopicOf(run, last, integration);
        var producer = EventNaming.ProducerFor(run.TenantId, integration.Id, integration.Stream);

        // An interrupted attempt may have left a page published (or not) but not committed: commit it before reading on.
        OutboxPage? inFlight;
        try
        {
            (var left, inFlight) = await UncommittedAsync(run, topic, producer, state, cancellationToken);
            if (left is var (page, how))
            {
                return (await PublishAndCommitAsync(run, integration, first, state, page, transforms.Count > 0, cancellationToken, how)).Outcome;
            }
        }
        catch (EventPublishException e)
        {
            return new StepOutcome.Retry($"The {sink.Name} sink is unavailable: {e.Message}");
        }

        if (inFlight is not null && inFlight.NextSequenceAfter > run.Progress.CountedThroughSequence)
        {
            // Committed by an attempt that died before it counted the page: count it now (the sink acknowledged it).
            run = await runs.UpdateAsync(run.TenantId, run.Id, r => r.Progress.CountedThroughSequence >= inFlight.NextSequenceAfter ? r : r with { Progress = Counted(r.Progress, inFlight, inFlight.Events.Count, inFlight.Unchanged, 0, transforms.Count > 0) }, cancellationToken) ?? run;
        }

        PositionalRead? along = null; // a full-refresh read of an integration without webhooks: its memory by position, from the read's first page
        try
        {
            // The credential's values and whether the integration receives webhooks (its connector takes them and it has a
            // webhook secret: deliveries need one): two secret-store reads (Vault: two HTTP round trips), made at once.
            var opening = connections.OpenAsync(integration, new RateLimitObserver(runs, run), cancellationToken);
            var webhookSecret = catalog.Find(integration.ConnectorId) is IWebhookReceiver
                ? secrets.ReadAsync(run.TenantId, WebhookSecrets.SecretIdOf(integration.Id), cancellationToken)
                : Task.FromResult<StoredSecret?>(null);
            await Task.WhenAll(opening, webhookSecret); // both awaited, so a failure of either is observed
            var (connector, opened) = await opening;
            var webhooks = await webhookSecret is not null;
            var context = opened with { DeferRateLimits = true }; // a rate limit ends this activity; the orchestration waits on a durable timer
            var start = state.Cursor;
            var firstOfCall = true;
            var written = run; // the run as this call last wrote it
            await using var pages = new PageReadAhead(connector.ReadAsync(context, integration.Stream, start, cancellationToken), p => Prepare(run, integration, p, transforms), cancellationToken);
            while (await pages.NextAsync() is var (page, envelopes))
            {
                // Records without a version: a full-refresh read, whose cursor (constant) cannot resume the stream mid-way.
                var fullRefresh = page.Records.Count > 0 && page.Records.All(r => r.Version is null);
                if (fullRefresh)
                {
                    // Read on in this call: the source's next page is fetched while this one is published and committed.
                    pages.ReadAhead();
                }

                // A full-refresh read this run already published pages of, started again (a retried or replacement call):
                // what this run published is recognised in the record memory and skipped below, and the read goes on.
                var resumed = fullRefresh && run.Progress.Pages > 0;
                if ((page.Records.Count == 0 || (firstOfCall && run.Progress.Pages > 0 && !fullRefresh)) && SameCursor(page.Cursor, state.Cursor))
                {
                    // Nothing after the committed cursor; or, after this run committed pages, a versioned source that hands the
                    // same cursor back reading its first page again: the segment is done.
                    break;
                }

                firstOfCall = false;

                var remember = fullRefresh || (webhooks && page.Records.Count > 0);
                var positional = fullRefresh && !webhooks;
                var entries = positional ? envelopes.Select(e => new RememberedEntry(e.Key, e.Event.Id)).ToList() : null;
                if (positional)
                {
                    along ??= memory.ReadAlong(run.TenantId, integration.Id, integration.Stream, state.RememberedPositions);
                }

                var unchanged = 0;
                var skipped = 0;
                if (remember && (resumed || (state.RecordMemoryFrom is { } from && from != run.Id)))
                {
                    var recalled = positional
                        ? await along!.RecallAsync(entries!, cancellationToken)
                        : await memory.RecallAsync(run.TenantId, integration.Id, integration.Stream, envelopes.Select(e => e.Key).ToList(), cancellationToken);
                    var before = envelopes.Count;
                    skipped = resumed ? envelopes.RemoveAll(e => recalled.TryGetValue(e.Key, out var last) && last.EventId == e.Event.Id && last.RunId == run.Id) : 0;
                    envelopes.RemoveAll(e => recalled.TryGetValue(e.Key, out var last) && last.EventId == e.Event.Id);
                    unchanged = before - skipped - envelopes.Count;
                    if (skipped == page.Records.Count)
                    {
                        along?.Advance(entries!);
                        continue; // published and counted by this run before it was interrupted
                    }
                }

                var events = new List<OutboundEvent>(envelopes.Count);
                for (var i = 0; i < envelopes.Count; i++)
                {
                    events.Add(envelopes[i] with { SequenceId = state.NextSequenceId + i });
                }

                var pending = new OutboxPage
                {
                    RunId = run.Id,
                    TenantId = run.TenantId,
                    Topic = topic,
                    ProducerName = producer,
                    Events = events,
                    CursorAfter = page.Cursor,
                    NextSequenceAfter = state.NextSequenceId + events.Count,
                    RecordsRead = page.Records.Count - skipped,
                    Unchanged = unchanged,
                    Remember = remember,
                    MemoryPosition = along?.Advance(entries!),
                    MemoryRecords = entries ?? [],
                };
                (var outcome, state, written) = await PublishAndCommitAsync(written, integration, first, state, pending, transforms.Count > 0, cancellationToken);
                if (outcome is not StepOutcome.Advanced || (!fullRefresh && !SameCursor(page.Cursor, start)))
                {
                    return outcome; // one page per call when the cursor can resume the stream from here
                }

                // A full refresh, or a cursor that did not move, cannot resume mid-stream: read on here. (The first page of a
                // first run used to return here, as its cursor differs from none; the next call then read page 1 again, took
                // it for the end, and the run succeeded with one page. A retried call of a full-refresh read did the same.)
            }
        }
        catch (IntegrationActionRefusedException e)
        {
            return new StepOutcome.Fail(e.Message);
        }
        catch (ConnectorException e) when (e.Kind == ConnectorErrorKind.RateLimited)
        {
            // A 429/Retry-After, a used-up quota, or the connector's own signal (Zulip RATE_LIMIT_HIT): nothing of this
            // page was published and the cursor did not move; the orchestration waits until then and calls the page again.
            return RateLimited(integration, e);
        }
        catch (ConnectorValidationException e)
        {
            return new StepOutcome.Fail(e.Message);
        }
        catch (ConnectorException e) when (e.IsPermanent)
        {
            return new StepOutcome.Fail(e.Message);
        }
        catch (ConnectorException e)
        {
            return new StepOutcome.Retry(e.Message);
        }
        catch (SecretStoreException e)
        {
            return new StepOutcome.Retry($"The secret store failed: {e.Message}");
        }

        if (along is not null && state.RememberedPositions != along.Position)
        {
            // A complete full-refresh read: the positions it wrote are what was last published; any past them are leftovers.
            state = await integrations.ReplaceStateAsync(state with { RememberedPositions = along.Position }, cancellationToken);
        }

        var fresh = await runs.GetAsync(run.TenantId, run.Id, cancellationToken) ?? run;
        var summary = JsonSerializer.SerializeToElement(new { integrationId = integration.Id, stream = integration.Stream, topic, cursor = state.Cursor, recordsPublished = fresh.Progress.RecordsPublished });
        return new StepOutcome.Completed(summary);
    }

    /// <summary>
    /// The wait a rate limit asks for: the API's own (<c>Retry-After</c>, <c>X-RateLimit-Reset</c>) when it said,
    /// else <see cref="UnsaidRateLimitWait"/>; the run shows <c>rate_limited</c> until then.
    /// </summary>
    private StepOutcome.Wait RateLimited(Integration integration, ConnectorException e)
    {
        var wait = e is RateLimitedException { Wait: { } said } ? said : UnsaidRateLimitWait;
        var until = time.GetUtcNow() + wait;
        return new StepOutcome.Wait(until, null, $"{integration.ConnectorId} asked to wait until {until:u}: {e.Message}", RateLimited: true);
    }

    /// <summary>How long a run waits after a rate limit whose answer named no wait (a bare 429).</summary>
    internal static readonly TimeSpan UnsaidRateLimitWait = TimeSpan.FromMinutes(1);

    // How a page reaches PublishAndCommitAsync: read now (publish it), from the outbox (publish it again), or found
    // published in a sink that is its own outbox (commit it).
    private enum Replay
    {
        None,
        Outbox,
        Published,
    }

    // run: the latest version of the run this call read or wrote (its progress is updated from there in one request when
    // nobody else wrote it since); returns the version written.
    private async Task<(StepOutcome Outcome, IntegrationState State, Run Run)> PublishAndCommitAsync(Run run, Integration integration, int first, IntegrationState state, OutboxPage pending, bool transformed, CancellationToken cancellationToken, Replay replay = Replay.None)
    {
        var watch = Stopwatch.StartNew();
        long published, unchanged, deadLettered;
        string? transient;
        if (replay == Replay.Published)
        {
            (published, unchanged, deadLettered, transient) = (pending.Events.Count, 0, 0, null);
        }
        else
        {
            (pending, published, unchanged, deadLettered, transient) = await PublishAsync(run, pending, stage: replay == Replay.None, cancellationToken);
        }

        if (replay == Replay.Outbox)
        {
            // The interrupted attempt may have published the page already: what the sink now calls a duplicate was published by this run.
            (published, unchanged) = (published + unchanged, 0);
        }

        if (transient is not null)
        {
            return (new StepOutcome.Retry(transient), state, run);
        }

        unchanged += pending.Unchanged;
        var remembered = pending.Remember && deadLettered == 0 && (pending.Events.Count > 0 || pending.MemoryPosition is not null);
        var memoryWritten = !remembered
            ? Task.CompletedTask
            : pending.MemoryPosition is { } position
                // Published (or recognised unchanged): this page's records as they are now at this position of the read, one
                // document however many records. Written before the commit, which marks the memory as in use.
                ? memory.RememberPositionsAsync(run.TenantId, integration.Id, integration.Stream, run.Id, position, pending.MemoryRecords, cancellationToken)
                // Published: from now on these are what an unchanged re-read of each record is compared with (a key twice in
                // a page: its last). Written before the commit, which marks the memory as in use when this run is its first writer.
                : memory.RememberAsync(run.TenantId, integration.Id, integration.Stream, run.Id, pending.Events.GroupBy(e => e.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Last().Event.Id)), cancellationToken);

        // Counted before the commit, at the same time as the memory is written (the sink has the page: it is published
        // whatever happens next); a page with events that an interrupted attempt counted already is not counted again.
        // A page without events has no sequence id to guard its count: it is counted after the commit, so a crash in
        // between leaves it uncounted rather than counted twice.
        Task<Run?> Count() => runs.UpdateAsync(
            run,
            r => r with
            {
                Status = RunStatus.Running,
                LastProgressAt = time.GetUtcNow(),
                Error = null,
                Steps = r.Steps.Select((s, i) => i == first && s.Attempts > 0 ? s with { Attempts = 0, Error = null, Status = StepStatus.Running } : s).ToList(),
                Progress = pending.Events.Count > 0 && r.Progress.CountedThroughSequence >= pending.NextSequenceAfter
                    ? r.Progress
                    : Counted(r.Progress, pending, published, unchanged, deadLettered, transformed),
            },
            cancellationToken);
        var progressWritten = pending.Events.Count > 0 ? Count() : null;
        await Task.WhenAll(memoryWritten, progressWritten ?? Task.CompletedTask);
        var committed = await integrations.ReplaceStateAsync(
            state with
            {
                Cursor = pending.CursorAfter,
                NextSequenceId = pending.NextSequenceAfter,
                RecordMemoryFrom = state.RecordMemoryFrom ?? (remembered ? run.Id : null),
                RememberedPositions = remembered && pending.MemoryPosition is { } at
                    ? Math.Max(state.RememberedPositions ?? 0, at + RecordMemory.PositionsOf(pending.MemoryRecords))
                    : state.RememberedPositions,
            },
            cancellationToken);
        var written = await (progressWritten ?? Count());
        metrics.Records.Add(pending.RecordsRead, new KeyValuePair<string, object?>("stage", "read"));
        metrics.Records.Add(published, new KeyValuePair<string, object?>("stage", "published"));
        metrics.Records.Add(unchanged, new KeyValuePair<string, object?>("stage", "unchanged"));
        metrics.PageDuration.Record(watch.Elapsed.TotalSeconds);
        return (new StepOutcome.Advanced(), committed, written ?? run);
    }

    private static RunProgress Counted(RunProgress progress, OutboxPage page, long published, long unchanged, long deadLettered, bool transformed) => progress with
    {
        Pages = progress.Pages + 1,
        RecordsRead = progress.RecordsRead + page.RecordsRead,
        RecordsTransformed = progress.RecordsTransformed + (transformed ? page.RecordsRead : 0),
        RecordsPublished = progress.RecordsPublished + published,
        RecordsUnchanged = progress.RecordsUnchanged + unchanged,
        RecordsDeadLettered = progress.RecordsDeadLettered + deadLettered,
        CountedThroughSequence = page.NextSequenceAfter,
    };

    private static bool SameCursor(JsonElement page, JsonElement? committed) =>
        committed is { } c ? JsonElement.DeepEquals(page, c) : page.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    /// <summary>
    /// Gives the integration back when the run ends, so the next run may start. A page this run published and did not
    /// commit (its attempt died, or the commit failed, and the run then ended: cancelled, failed, out of time) is committed
    /// first (an outbox page published again, as a resumed attempt would): its record memory may already say it was
    /// published; left uncommitted, the next run gave its sequence ids to other events, which replaced it in the event log
    /// (and which a broker deduplicating by sequence id, as Pulsar does, would take for duplicates), and those changes were lost.
    /// A run that succeeded has no such page (its segments ended on a read past their committed cursors): not looked for.
    /// </summary>
    /// <param name="run">The run as read before its end is written.</param>
    /// <param name="ending">How it ends.</param>
    /// <param name="cancellationToken">The activity's cancellation.</param>
    public async Task ReleaseAsync(Run run, RunStatus ending, CancellationToken cancellationToken)
    {
        var released = new HashSet<string>(StringComparer.Ordinal);
        for (var first = 0; first < run.Definition.Count; first++)
        {
            var read = run.Definition[first];
            if (read.Type != "read" || read.IntegrationId is null || !released.Add(read.IntegrationId))
            {
                continue;
            }

            var state = await integrations.GetStateAsync(run.TenantId, read.IntegrationId, cancellationToken);
            if (state.ActiveRunId == run.Id)
            {
                state = ending == RunStatus.Succeeded ? state : await CommitPublishedAsync(run, first, state, cancellationToken);
                try
                {
                    await integrations.ReplaceStateAsync(state with { ActiveRunId = null }, cancellationToken);
                }
                catch (ConcurrencyConflictException)
                {
                    // Changed meanwhile; the next claim sees this run ended and takes over.
                }
            }
        }

        await outbox.ClearAsync(run.TenantId, run.Id, cancellationToken);
    }

    // The page this run left published and not committed at the committed next sequence id, committed (memory, count,
    // state) as a resumed attempt would: from a sink that is its own outbox, or from the outbox (published again: the
    // sink drops what it has); the state as it is after.
    private async Task<IntegrationState> CommitPublishedAsync(Run run, int first, IntegrationState state, CancellationToken cancellationToken)
    {
        var last = stepTypes.SegmentEnd(run.Definition, first);
        if (last <= first || await integrations.GetAsync(run.TenantId, state.IntegrationId, cancellationToken) is not { } integration)
        {
            return state;
        }

        var topic = TopicOf(run, last, integration);
        var producer = EventNaming.ProducerFor(run.TenantId, integration.Id, integration.Stream);
        try
        {
            return (await UncommittedAsync(run, topic, producer, state, cancellationToken)).Left is var (page, how)
                ? (await PublishAndCommitAsync(run, integration, first, state, page, last - first > 1, cancellationToken, how)).State
                : state;
        }
        catch (Exception e) when (e is EventPublishException or ConcurrencyConflictException)
        {
            // The sink is unavailable, or the state changed meanwhile: left as before (the next run replaces the page).
            return await integrations.GetStateAsync(run.TenantId, integration.Id, cancellationToken);
        }
    }

    // What an interrupted attempt of this run left at the integration's committed next sequence id, and how to commit it:
    // a page a sink that is its own outbox holds (published: commit it), or the run's outbox page of this producer past
    // the commit (publish it again, then commit). Also the run's outbox page as read, whatever it holds.
    private async Task<((OutboxPage Page, Replay How)? Left, OutboxPage? InFlight)> UncommittedAsync(Run run, string topic, string producer, IntegrationState state, CancellationToken cancellationToken)
    {
        var inFlightRead = outbox.GetAsync(run.TenantId, run.Id, cancellationToken);
        OutboxPage? published;
        try
        {
            published = sink is IOutboxSink log ? await log.GetPageAsync(run.TenantId, topic, producer, run.Id, state.NextSequenceId, cancellationToken) : null;
        }
        finally
        {
            await ((Task)inFlightRead).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // never left running
        }

        var inFlight = await inFlightRead;
        if (published is not null)
        {
            Logs.PublishedPageCommitted(logger, run.Id, published.Events.Count);
            return ((published, Replay.Published), inFlight);
        }

        if (inFlight is not null && inFlight.ProducerName == producer && inFlight.NextSequenceAfter > state.NextSequenceId)
        {
            Logs.OutboxReplayed(logger, run.Id, inFlight.Events.Count);
            return ((inFlight, Replay.Outbox), inFlight);
        }

        return (null, inFlight);
    }

    // The topic a segment publishes to: its publish step's, else the integration's, else the stream's default.
    private static string TopicOf(Run run, int last, Integration integration) =>
        run.Definition[last].Topic ?? integration.Topic ?? EventNaming.TopicForStream(run.TenantId, integration.ConnectorId, integration.Stream);

    private async Task<IntegrationState?> ClaimAsync(Run run, Integration integration, CancellationToken cancellationToken)
    {
        var state = await integrations.GetStateAsync(run.TenantId, integration.Id, cancellationToken);
        if (state.ActiveRunId == run.Id)
        {
            return state;
        }

        var now = time.GetUtcNow();
        if (await ActiveRuns.LiveAsync(runs, run.TenantId, state.ActiveRunId, state.ActiveRunClaimedAt, now, cancellationToken) is not null)
        {
            return null;
        }

        try
        {
            return await integrations.ReplaceStateAsync(state with { ActiveRunId = run.Id, ActiveRunClaimedAt = now }, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            return null;
        }
    }

    // Progress counts what the sink reported: accepted as new (published) or already had (unchanged). stage: a page read
    // now, written down first (in the sink itself when it is its own outbox and the page fits, else in the outbox); the
    // page returned is the one published (another when an interrupted attempt of this run published one there first).
    private async Task<(OutboxPage Page, long Published, long Unchanged, long DeadLettered, string? TransientError)> PublishAsync(Run run, OutboxPage page, bool stage, CancellationToken cancellationToken)
    {
        if (page.Events.Count == 0)
        {
            return (page, 0, 0, 0, null); // nothing to publish, nothing to replay: no outbox entry
        }

        var batch = new EventBatch(page.Topic, page.ProducerName, page.Events);
        try
        {
            if (stage && sink is IOutboxSink log && await log.PublishPageAsync(page, cancellationToken) is { } held)
            {
                return (held, held.Events.Count, 0, 0, null);
            }

            if (stage)
            {
                await outbox.WriteAsync(page, cancellationToken);
            }

            var receipt = await sink.PublishWithReceiptAsync(batch, cancellationToken);
            return (page, receipt.Accepted, receipt.Duplicates, 0, null);
        }
        catch (EventPublishException e) when (e.IsTransient)
        {
            return (page, 0, 0, 0, $"The {sink.Name} sink is unavailable: {e.Message}");
        }
        catch (EventPublishException e)
        {
            // Refused for good: kept with the reason, replayable, and the sync goes on.
            Logs.DeadLettered(logger, run.Id, page.Events.Count, e.Message);
            await deadLetters.KeepAsync(batch, e.Message, run.Id, run.IntegrationId, cancellationToken);
            metrics.Records.Add(page.Events.Count, new KeyValuePair<string, object?>("stage", "dead_lettered"));
            return (page, 0, 0, page.Events.Count, null);
        }
    }

    // A page's records as events in record order (sequence ids set when the page is published), encoded here in one
    // batch: for a read-ahead page on the thread pool, while the page before it is published. An event the SDK refuses to
    // encode is left as it is; publishing it dead-letters it with the reason.
    private List<OutboundEvent> Prepare(Run run, Integration integration, RecordPage page, List<Func<JsonElement, JsonElement>> transforms)
    {
        var events = page.Records.Select(r => Outbound(integration, r.Id, Envelope(run, integration, r, transforms), 0)).ToList();
        OutboundEvent.EncodeAll(events);
        return events;
    }

    // key: the record id as it is (the subject may be escaped: CloudEventEnvelope.SubjectOf), as webhook deliveries key it.
    private static OutboundEvent Outbound(Integration integration, string key, CloudEvent cloudEvent, long sequenceId) =>
        new(
            sequenceId,
            key,
            cloudEvent,
            new Dictionary<string, string>(3, StringComparer.Ordinal) { ["connector"] = integration.ConnectorId, ["stream"] = integration.Stream, ["operation"] = cloudEvent.Type.EndsWith(".deleted", StringComparison.Ordinal) ? "deleted" : "upserted" });

    private CloudEvent Envelope(Run run, Integration integration, ConnectorRecord record, List<Func<JsonElement, JsonElement>> transforms)
    {
        var data = record.Data;
        foreach (var transform in transforms)
        {
            data = transform(data);
        }

        var operation = record.Operation == RecordOperation.Delete ? "deleted" : "upserted";
        var cloudEvent = new CloudEvent
        {
            Id = EventIds.For(integration.Id, integration.Stream, record.Id, record.Version, operation, data),
            Source = $"/tenants/{run.TenantId}/integrations/{integration.Id}/streams/{integration.Stream}",
            Type = $"com.integrationhub.{integration.ConnectorId}.{integration.Stream}.{operation}",
            Subject = CloudEventEnvelope.SubjectOf(record.Id),
            Time = record.Timestamp ?? time.GetUtcNow(),
            TenantId = run.TenantId,
            IntegrationId = integration.Id,
            RunId = run.Id,
            Data = data,
        };
        return cloudEvent;
    }

    // Rate-limit pauses inside the connector show on the run while they last.
    private sealed class RateLimitObserver(RunStore runs, Run run) : IConnectorObserver
    {
        public void OnRateLimited(TimeSpan wait, string reason) =>
            _ = runs.UpdateAsync(run.TenantId, run.Id, r => r with { Status = RunStatus.RateLimited, Error = $"rate limited for {wait.TotalSeconds:0.#}s: {reason}" }, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);

        public void OnResumed() =>
            _ = runs.UpdateAsync(run.TenantId, run.Id, r => r with { Status = RunStatus.Running, Error = null }, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
