import { Button, Caption1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Title2, Body1, makeStyles, tokens } from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { keys, useDeadLetters } from "../api/queries";
import { EmptyState, Loading, ProblemBar } from "../components/Feedback";
import { formatUtc } from "../lib/schedule";
import { RouterLink } from "../router";

const useStyles = makeStyles({ err: { color: tokens.colorPaletteRedForeground1, maxWidth: "360px", display: "block" } });

export function DeadLetters() {
  const styles = useStyles();
  const qc = useQueryClient();
  const dl = useDeadLetters();
  const replay = useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/api/v1/events/dead-letters/{id}/replay", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.deadLetters }),
  });
  const items = dl.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="dl-title" style={{ display: "flex", flexDirection: "column", gap: 12 }}>
      <Title2 as="h1" id="dl-title">
        Dead letters
      </Title2>
      <Body1>Events the sink refused for good, with its reason. Fix the cause (topic, permissions, size), then replay them.</Body1>
      <ProblemBar error={replay.error} />
      {dl.isPending ? (
        <Loading />
      ) : dl.error ? (
        <ProblemBar error={dl.error} onRetry={() => dl.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No dead letters">Nothing was refused by the sink. If a run shows dead-lettered records, they appear here.</EmptyState>
      ) : (
        <>
          <Table size="small" aria-label="Dead letters">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Failed</TableHeaderCell>
                <TableHeaderCell>Topic</TableHeaderCell>
                <TableHeaderCell>Integration · run</TableHeaderCell>
                <TableHeaderCell>Reason</TableHeaderCell>
                <TableHeaderCell>Replay</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((d) => (
                <TableRow key={d.id}>
                  <TableCell>{formatUtc(d.failedAt)}</TableCell>
                  <TableCell>
                    <code>{d.topic}</code>
                  </TableCell>
                  <TableCell>
                    {d.integrationId ? <RouterLink to={`/integrations/${encodeURIComponent(d.integrationId)}`}>{d.integrationId}</RouterLink> : "—"}
                    <Caption1 style={{ display: "block" }}>{d.runId ?? ""}</Caption1>
                  </TableCell>
                  <TableCell>
                    <span className={styles.err}>{d.error}</span>
                  </TableCell>
                  <TableCell>
                    {d.replayedAt ? (
                      <Caption1>replayed {formatUtc(d.replayedAt)}</Caption1>
                    ) : (
                      <Button size="small" onClick={() => replay.mutate(d.id)} disabled={replay.isPending} aria-label={`Replay event ${d.id}`}>
                        Replay
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {dl.hasNextPage && (
            <Button onClick={() => dl.fetchNextPage()} disabled={dl.isFetchingNextPage} style={{ alignSelf: "flex-start" }}>
              Load more
            </Button>
          )}
        </>
      )}
    </section>
  );
}
