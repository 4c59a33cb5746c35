import { useState } from "react";
import {
  Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Menu, MenuItem, MenuList, MenuPopover, MenuTrigger,
  MessageBar, MessageBarBody, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Title2, Toast, ToastTitle, Toaster, makeStyles, tokens,
  useId, useToastController, Tooltip,
} from "@fluentui/react-components";
import { AddRegular, MoreHorizontalRegular, PlayRegular } from "@fluentui/react-icons";
import { useQueries, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, unwrap, type Integration } from "../api/client";
import { keys, useCatalog, useIntegrations } from "../api/queries";
import { deleteIntegration, getIntegration, isStale, replaceIntegration, startRun, toRequest, STALE_MESSAGE } from "../api/mutations";
import { ConnectorLogo } from "../components/ConnectorLogo";
import { EmptyState, Loading, ProblemBar, StatusBadge } from "../components/Feedback";
import { formatRelative, formatUtc } from "../lib/schedule";
import { RouterLink, navigate } from "../router";

const useStyles = makeStyles({
  head: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM, marginBottom: tokens.spacingVerticalL },
  grow: { marginRight: "auto" },
  name: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  err: { color: tokens.colorPaletteRedForeground1, display: "block", maxWidth: "280px" },
  actions: { display: "flex", gap: tokens.spacingHorizontalXS },
});

/** The next scheduled run of each distinct schedule, from the occurrences endpoint (absent on older hubs). */
function useNextRuns(schedules: string[]) {
  const distinct = [...new Set(schedules.filter(Boolean))];
  const results = useQueries({
    queries: distinct.map((s) => ({
      queryKey: keys.occurrences(s, 1),
      queryFn: () => unwrap(api.GET("/api/v1/schedules/occurrences", { params: { query: { schedule: s, count: 1 } } })),
      retry: false,
      staleTime: 30_000,
      refetchInterval: 60_000,
    })),
  });
  const map = new Map<string, { next?: string; unavailable?: boolean }>();
  distinct.forEach((s, i) => {
    const r = results[i];
    map.set(s, { next: r.data?.occurrences?.[0], unavailable: !!r.error });
  });
  return map;
}

export function IntegrationsList() {
  const styles = useStyles();
  const qc = useQueryClient();
  const list = useIntegrations();
  const catalog = useCatalog();
  const toasterId = useId("toaster");
  const { dispatchToast } = useToastController(toasterId);
  const [confirm, setConfirm] = useState<Integration | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const items = list.data?.items ?? [];
  const next = useNextRuns(items.filter((i) => i.enabled).map((i) => i.schedule ?? ""));
  const connectorName = (id: string) => catalog.data?.items.find((c) => c.id === id)?.displayName ?? id;

  const toast = (text: string, intent: "success" | "error" | "info" = "success") =>
    dispatchToast(
      <Toast>
        <ToastTitle>{text}</ToastTitle>
      </Toast>,
      { intent },
    );
  const refresh = () => qc.invalidateQueries({ queryKey: keys.integrations });

  const run = useMutation({
    mutationFn: (i: Integration) => startRun(i.id),
    onSuccess: (r, i) => {
      toast(`Run started for ${i.name}.`);
      navigate(`/integrations/${encodeURIComponent(i.id)}${r.runId ? `?run=${encodeURIComponent(r.runId)}` : ""}`);
    },
    onError: (e, i) => {
      setActionError(e);
      if (e instanceof ApiError && e.status === 409) toast(`${i.name} is already running.`, "info");
    },
  });
  const toggle = useMutation({
    mutationFn: async (i: Integration) => {
      const { data, etag } = await getIntegration(i.id);
      return replaceIntegration(i.id, toRequest(data, { enabled: !data.enabled }), etag);
    },
    onSuccess: (r) => (toast(`${r.data.name} ${r.data.enabled ? "enabled" : "disabled"}.`), refresh()),
    onError: (e) => (setActionError(isStale(e) ? new ApiError(412, { title: STALE_MESSAGE }) : e), refresh()),
  });
  const remove = useMutation({
    mutationFn: async (i: Integration) => {
      const { etag } = await getIntegration(i.id);
      return deleteIntegration(i.id, etag);
    },
    onSuccess: (_, i) => (toast(`${i.name} deleted.`), setConfirm(null), refresh()),
    onError: (e) => (setActionError(isStale(e) ? new ApiError(412, { title: STALE_MESSAGE }) : e), setConfirm(null), refresh()),
  });

  return (
    <section aria-labelledby="int-title">
      <Toaster toasterId={toasterId} position="top-end" />
      <div className={styles.head}>
        <Title2 as="h1" id="int-title" className={styles.grow}>
          Integrations
        </Title2>
        <Button appearance="primary" icon={<AddRegular />} onClick={() => navigate("/gallery")}>
          New integration
        </Button>
      </div>
      {actionError ? (
        <div style={{ marginBottom: 12 }}>
          <ProblemBar error={actionError} />
        </div>
      ) : null}
      {list.isPending ? (
        <Loading label="Loading integrations…" />
      ) : list.error ? (
        <ProblemBar error={list.error} onRetry={() => list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No integrations yet" action={<Button appearance="primary" onClick={() => navigate("/gallery")}>Pick a connector</Button>}>
          An integration reads a connector's stream on a schedule or on demand and publishes each record as a CloudEvent. Start from the gallery.
        </EmptyState>
      ) : (
        <Table aria-label="Integrations" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Connector</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Last run</TableHeaderCell>
              <TableHeaderCell>Next scheduled run</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((i) => {
              const n = i.schedule ? next.get(i.schedule) : undefined;
              return (
                <TableRow key={i.id} data-testid={`integration-row-${i.id}`}>
                  <TableCell>
                    <span className={styles.name}>
                      <RouterLink to={`/integrations/${encodeURIComponent(i.id)}`}>{i.name}</RouterLink>
                    </span>
                    <Caption1>{i.stream}</Caption1>
                  </TableCell>
                  <TableCell>
                    <span className={styles.name}>
                      <ConnectorLogo id={i.connectorId} name={connectorName(i.connectorId)} size={20} />
                      {connectorName(i.connectorId)}
                    </span>
                  </TableCell>
                  <TableCell>
                    <StatusBadge status={i.status} />
                    {i.status === "error" && i.lastRun?.error && <Caption1 className={styles.err}>{i.lastRun.error}</Caption1>}
                  </TableCell>
                  <TableCell>
                    {i.lastRun ? (
                      <>
                        <StatusBadge status={i.lastRun.status} />{" "}
                        <Tooltip content={formatUtc(i.lastRun.completedAt)} relationship="description">
                          <Caption1>{i.lastRun.completedAt ? formatRelative(i.lastRun.completedAt) : "in progress"}</Caption1>
                        </Tooltip>
                        <Caption1 style={{ display: "block" }}>{String(i.lastRun.recordsPublished ?? 0)} records</Caption1>
                      </>
                    ) : (
                      <Caption1>never run</Caption1>
                    )}
                  </TableCell>
                  <TableCell>
                    {!i.schedule ? (
                      <Caption1>on demand only</Caption1>
                    ) : !i.enabled ? (
                      <Caption1>disabled ({i.schedule})</Caption1>
                    ) : n?.next ? (
                      <Tooltip content={i.schedule} relationship="description">
                        <Caption1>
                          {formatUtc(n.next)} ({formatRelative(n.next)})
                        </Caption1>
                      </Tooltip>
                    ) : (
                      <Caption1>
                        <code>{i.schedule}</code>
                        {n?.unavailable ? " (UTC)" : ""}
                      </Caption1>
                    )}
                  </TableCell>
                  <TableCell>
                    <div className={styles.actions}>
                      <Button size="small" icon={<PlayRegular />} onClick={() => run.mutate(i)} disabled={run.isPending} aria-label={`Run ${i.name} now`}>
                        Run now
                      </Button>
                      <Menu>
                        <MenuTrigger disableButtonEnhancement>
                          <Button size="small" icon={<MoreHorizontalRegular />} aria-label={`More actions for ${i.name}`} />
                        </MenuTrigger>
                        <MenuPopover>
                          <MenuList>
                            <MenuItem onClick={() => toggle.mutate(i)}>{i.enabled ? "Disable" : "Enable"}</MenuItem>
                            <MenuItem onClick={() => navigate(`/integrations/${encodeURIComponent(i.id)}/edit`)}>Edit</MenuItem>
                            <MenuItem onClick={() => setConfirm(i)}>Delete…</MenuItem>
                          </MenuList>
                        </MenuPopover>
                      </Menu>
                    </div>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      <Dialog open={!!confirm} onOpenChange={(_, d) => !d.open && setConfirm(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Delete {confirm?.name}?</DialogTitle>
            <DialogContent>
              The integration and its schedule go; events it already published stay. This cannot be undone.
              {remove.error ? (
                <MessageBar intent="error">
                  <MessageBarBody>{String((remove.error as Error).message)}</MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setConfirm(null)}>Cancel</Button>
              <Button appearance="primary" onClick={() => confirm && remove.mutate(confirm)} disabled={remove.isPending}>
                Delete
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}
