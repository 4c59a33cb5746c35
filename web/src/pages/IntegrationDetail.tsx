import { useEffect, useRef, useState } from "react";
import {
  Body1, Button, Caption1, Card, CardHeader, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarBody,
  ProgressBar, Subtitle1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Title2, makeStyles, tokens, Field, Tooltip,
} from "@fluentui/react-components";
import { ArrowLeftRegular, DismissCircleRegular, EditRegular, PlayRegular, DeleteRegular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, isTerminal, unwrap, type Run } from "../api/client";
import { keys, useCatalog, useEvents, useIntegration, useRun, useRuns } from "../api/queries";
import { deleteIntegration, isStale, replaceIntegration, startRun, toRequest, STALE_MESSAGE } from "../api/mutations";
import { ConnectorLogo } from "../components/ConnectorLogo";
import { EmptyState, Loading, ProblemBar, StatusBadge } from "../components/Feedback";
import { formatRelative, formatUtc } from "../lib/schedule";
import { navigate, useLocation } from "../router";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  head: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  grow: { marginRight: "auto", display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  facts: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(180px, 1fr))", gap: tokens.spacingHorizontalL },
  cols: { display: "grid", gridTemplateColumns: "minmax(300px, 0.9fr) minmax(360px, 1.1fr)", gap: tokens.spacingHorizontalL, alignItems: "start" },
  card: { padding: tokens.spacingVerticalL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  counters: { display: "grid", gridTemplateColumns: "repeat(5, 1fr)", gap: tokens.spacingHorizontalS },
  counter: { display: "flex", flexDirection: "column", background: tokens.colorNeutralBackground3, borderRadius: tokens.borderRadiusMedium, padding: tokens.spacingVerticalS },
  num: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold, fontVariantNumeric: "tabular-nums" },
  pre: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, whiteSpace: "pre-wrap", wordBreak: "break-all", margin: 0, maxHeight: "160px", overflow: "auto" },
  selected: { background: tokens.colorBrandBackground2 },
  error: { color: tokens.colorPaletteRedForeground1 },
});

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Caption1 style={{ display: "block" }}>{label}</Caption1>
      <Body1>{children}</Body1>
    </div>
  );
}

function RunPanel({ run, onCancel, cancelling }: { run: Run; onCancel: () => void; cancelling: boolean }) {
  const styles = useStyles();
  const p = run.progress;
  const n = (v: unknown) => Number(v ?? 0);
  const live = !isTerminal(run.status);
  const doneSteps = run.steps.filter((s) => s.status === "succeeded" || s.status === "skipped").length;
  return (
    <div className={styles.card} style={{ padding: 0 }} aria-live="polite" aria-busy={live} data-testid="run-panel">
      <div style={{ display: "flex", alignItems: "center", gap: 8 }}>
        <Subtitle1 as="h3" style={{ marginRight: "auto" }}>
          Run <code style={{ fontSize: "0.8em" }}>{run.id}</code>
        </Subtitle1>
        <span data-testid="run-status">
          <StatusBadge status={run.status} />
        </span>
        {live && (
          <Button size="small" icon={<DismissCircleRegular />} onClick={onCancel} disabled={cancelling || run.cancelRequested}>
            {run.cancelRequested ? "Cancelling…" : "Cancel run"}
          </Button>
        )}
      </div>
      <Field label={live ? `Steps: ${doneSteps} of ${run.steps.length} done` : `Finished ${formatRelative(run.completedAt)}`} validationState="none">
        <ProgressBar value={run.steps.length ? doneSteps / run.steps.length : 0} thickness="large" color={run.status === "failed" ? "error" : run.status === "succeeded" ? "success" : "brand"} />
      </Field>
      {run.status === "rate_limited" && (
        <MessageBar intent="warning">
          <MessageBarBody>The source API asked the hub to slow down; the run continues {run.nextAttemptAt ? formatRelative(run.nextAttemptAt) : "soon"}.</MessageBarBody>
        </MessageBar>
      )}
      {run.error && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>{run.error}</MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.counters}>
        {[
          ["Read", p.recordsRead],
          ["Transformed", p.recordsTransformed],
          ["Published", p.recordsPublished],
          ["Dead-lettered", p.recordsDeadLettered],
          ["Pages", p.pages],
        ].map(([label, v]) => (
          <div key={String(label)} className={styles.counter}>
            <span className={styles.num} data-testid={`progress-${String(label).toLowerCase()}`}>
              {n(v).toLocaleString()}
            </span>
            <Caption1>{String(label)}</Caption1>
          </div>
        ))}
      </div>
      <Table size="extra-small" aria-label="Steps">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Step</TableHeaderCell>
            <TableHeaderCell>Type</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Attempts</TableHeaderCell>
            <TableHeaderCell>Error</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {run.steps.map((s) => (
            <TableRow key={s.name}>
              <TableCell>{s.name}</TableCell>
              <TableCell>{s.type}</TableCell>
              <TableCell>
                <StatusBadge status={s.status} />
              </TableCell>
              <TableCell>{String(s.attempts ?? 0)}</TableCell>
              <TableCell className={styles.error}>{s.error ?? ""}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Caption1>
        Trigger: {run.trigger}
        {run.scheduleSlot ? ` (slot ${formatUtc(run.scheduleSlot)})` : ""} · started {formatUtc(run.startedAt ?? run.createdAt)}
        {run.completedAt ? ` · completed ${formatUtc(run.completedAt)}` : ""}
      </Caption1>
    </div>
  );
}

export function IntegrationDetail({ id }: { id: string }) {
  const styles = useStyles();
  const qc = useQueryClient();
  const { query } = useLocation();
  const integration = useIntegration(id);
  const catalog = useCatalog();
  const runs = useRuns(id);
  const events = useEvents(id);
  const [chosenRun, setChosenRun] = useState<string | undefined>(query.get("run") ?? undefined);
  const runId = chosenRun ?? runs.data?.items?.[0]?.id;
  const run = useRun(runId);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // When the shown run finishes, refresh what it changed: the integration's last run and its events.
  const lastStatus = useRef<string | undefined>(undefined);
  useEffect(() => {
    const s = run.data?.status;
    if (s && lastStatus.current && !isTerminal(lastStatus.current) && isTerminal(s)) {
      qc.invalidateQueries({ queryKey: keys.integration(id) });
      qc.invalidateQueries({ queryKey: keys.events(id) });
      qc.invalidateQueries({ queryKey: keys.runs(id) });
    }
    lastStatus.current = s;
  }, [run.data?.status, id, qc]);
  const [actionError, setActionError] = useState<unknown>(null);

  const reloadAll = () => {
    qc.invalidateQueries({ queryKey: keys.integration(id) });
    qc.invalidateQueries({ queryKey: keys.runs(id) });
    qc.invalidateQueries({ queryKey: keys.integrations });
  };
  const start = useMutation({
    mutationFn: () => startRun(id),
    onSuccess: (r) => {
      setActionError(null);
      if (r.runId) setChosenRun(r.runId);
      reloadAll();
    },
    onError: setActionError,
  });
  const cancel = useMutation({
    mutationFn: (rid: string) => unwrap(api.POST("/api/v1/runs/{id}/cancel", { params: { path: { id: rid } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.run(runId ?? "") }),
    onError: setActionError,
  });
  const toggle = useMutation({
    mutationFn: () => replaceIntegration(id, toRequest(integration.data!.data, { enabled: !integration.data!.data.enabled }), integration.data!.etag),
    onSuccess: () => (setActionError(null), reloadAll()),
    onError: (e) => (setActionError(isStale(e) ? new ApiError(412, { title: STALE_MESSAGE }) : e), reloadAll()),
  });
  const remove = useMutation({
    mutationFn: () => deleteIntegration(id, integration.data!.etag),
    onSuccess: () => (qc.invalidateQueries({ queryKey: keys.integrations }), navigate("/")),
    onError: (e) => (setConfirmDelete(false), setActionError(isStale(e) ? new ApiError(412, { title: STALE_MESSAGE }) : e), reloadAll()),
  });

  if (integration.isPending) return <Loading />;
  if (integration.error)
    return (
      <ProblemBar
        error={integration.error}
        hint={integration.error instanceof ApiError && integration.error.status === 404 ? "It may have been deleted. Go back to the integrations list." : undefined}
        onRetry={() => integration.refetch()}
      />
    );
  const i = integration.data!.data;
  const connector = catalog.data?.items.find((c) => c.id === i.connectorId);
  const eventItems = events.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className={styles.root} aria-labelledby="detail-title">
      <Button appearance="subtle" icon={<ArrowLeftRegular />} onClick={() => navigate("/")} style={{ alignSelf: "flex-start" }}>
        Integrations
      </Button>
      <div className={styles.head}>
        <div className={styles.grow}>
          <ConnectorLogo id={i.connectorId} name={connector?.displayName ?? i.connectorId} />
          <Title2 as="h1" id="detail-title">
            {i.name}
          </Title2>
          <StatusBadge status={i.status} />
        </div>
        <Button appearance="primary" icon={<PlayRegular />} onClick={() => start.mutate()} disabled={start.isPending}>
          Run now
        </Button>
        <Button onClick={() => toggle.mutate()} disabled={toggle.isPending}>
          {i.enabled ? "Disable" : "Enable"}
        </Button>
        <Button icon={<EditRegular />} onClick={() => navigate(`/integrations/${encodeURIComponent(id)}/edit`)}>
          Edit
        </Button>
        <Button icon={<DeleteRegular />} onClick={() => setConfirmDelete(true)}>
          Delete
        </Button>
      </div>
      <ProblemBar error={actionError} />
      {i.status === "error" && i.lastRun?.error && (
        <MessageBar intent="error">
          <MessageBarBody>Last run failed: {i.lastRun.error}</MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.facts}>
        <Fact label="Connector · stream">
          {connector?.displayName ?? i.connectorId} · {i.stream}
        </Fact>
        <Fact label="Schedule (UTC)">{i.schedule ? <code>{i.schedule}</code> : "on demand only"}</Fact>
        <Fact label="Topic">{i.topic ?? "default"}</Fact>
        <Fact label="Credential">{i.credentialId ?? "none"}</Fact>
        <Fact label="Last run">{i.lastRun ? `${i.lastRun.status}, ${String(i.lastRun.recordsPublished ?? 0)} records, ${formatRelative(i.lastRun.completedAt)}` : "never"}</Fact>
      </div>

      <div className={styles.cols}>
        <Card className={styles.card}>
          <CardHeader header={<Subtitle1 as="h2">Runs</Subtitle1>} />
          {runs.isPending ? (
            <Loading />
          ) : runs.error ? (
            <ProblemBar error={runs.error} onRetry={() => runs.refetch()} />
          ) : (runs.data?.items ?? []).length === 0 ? (
            <EmptyState title="No runs yet" action={<Button onClick={() => start.mutate()}>Run now</Button>}>
              {i.schedule && i.enabled ? "It runs on its schedule, or start a run now." : "Start a run now."}
            </EmptyState>
          ) : (
            <Table size="small" aria-label="Runs">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Started</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell>
                  <TableHeaderCell>Records</TableHeaderCell>
                  <TableHeaderCell>Trigger</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {runs.data!.items.map((r) => (
                  <TableRow key={r.id} className={r.id === runId ? styles.selected : undefined} aria-selected={r.id === runId}>
                    <TableCell>
                      <Button appearance="transparent" size="small" onClick={() => setChosenRun(r.id)} aria-label={`Show run of ${formatUtc(r.startedAt ?? r.createdAt)}`}>
                        {formatRelative(r.startedAt ?? r.createdAt)}
                      </Button>
                    </TableCell>
                    <TableCell>
                      <StatusBadge status={r.status} />
                    </TableCell>
                    <TableCell>{String(r.progress?.recordsPublished ?? 0)}</TableCell>
                    <TableCell>{r.trigger}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </Card>
        <Card className={styles.card}>
          {!runId ? (
            <Body1>Select a run to see its progress.</Body1>
          ) : run.isPending ? (
            <Loading />
          ) : run.error ? (
            <ProblemBar error={run.error} />
          ) : (
            <RunPanel run={run.data!} onCancel={() => cancel.mutate(run.data!.id)} cancelling={cancel.isPending} />
          )}
        </Card>
      </div>

      <Card className={styles.card}>
        <CardHeader header={<Subtitle1 as="h2">Published events</Subtitle1>} description={events.data?.pages[0]?.sink ? <Caption1>sink: {events.data.pages[0].sink}</Caption1> : undefined} />
        {events.isPending ? (
          <Loading />
        ) : events.error ? (
          <ProblemBar error={events.error} onRetry={() => events.refetch()} />
        ) : eventItems.length === 0 ? (
          <EmptyState title="No events yet">Events appear here once a run has published records (when Pulsar is configured they go to Pulsar, not this log).</EmptyState>
        ) : (
          <>
            <Table size="small" aria-label="Events">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell style={{ width: 70 }}>Seq</TableHeaderCell>
                  <TableHeaderCell>Type · subject</TableHeaderCell>
                  <TableHeaderCell>Topic</TableHeaderCell>
                  <TableHeaderCell>Published</TableHeaderCell>
                  <TableHeaderCell>Data</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {eventItems.map((e) => (
                  <TableRow key={e.id}>
                    <TableCell>{String(e.sequenceId)}</TableCell>
                    <TableCell>
                      <Tooltip content={`id ${e.id}`} relationship="description">
                        <span>
                          {String((e.event as { type?: string }).type ?? "")} · {String((e.event as { subject?: string }).subject ?? e.key)}
                        </span>
                      </Tooltip>
                    </TableCell>
                    <TableCell>
                      <code>{e.topic}</code>
                    </TableCell>
                    <TableCell>{formatUtc(e.publishedAt)}</TableCell>
                    <TableCell>
                      <pre className={styles.pre}>{JSON.stringify((e.event as { data?: unknown }).data ?? null)}</pre>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <div style={{ display: "flex", gap: 8, alignItems: "center" }}>
              <Caption1>{eventItems.length} shown</Caption1>
              {events.hasNextPage && (
                <Button onClick={() => events.fetchNextPage()} disabled={events.isFetchingNextPage}>
                  {events.isFetchingNextPage ? "Loading…" : "Load more events"}
                </Button>
              )}
              <Button appearance="subtle" onClick={() => events.refetch()}>
                Refresh
              </Button>
            </div>
          </>
        )}
      </Card>

      <Dialog open={confirmDelete} onOpenChange={(_, d) => setConfirmDelete(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Delete {i.name}?</DialogTitle>
            <DialogContent>Its schedule stops and the definition is removed; events already published stay.</DialogContent>
            <DialogActions>
              <Button onClick={() => setConfirmDelete(false)}>Cancel</Button>
              <Button appearance="primary" onClick={() => remove.mutate()} disabled={remove.isPending}>
                Delete
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}
