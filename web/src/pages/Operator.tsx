import { useState, type FormEvent } from "react";
import {
  Body1, Button, Caption1, Card, CardHeader, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input,
  MessageBar, MessageBarBody, MessageBarTitle, Subtitle1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Title2, makeStyles, tokens,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, newIdempotencyKey, unwrap } from "../api/client";
import type { IssuedApiKey } from "../api/extra";
import { keys, useApiKeys, useTenants } from "../api/queries";
import { EmptyState, Loading, ProblemBar } from "../components/Feedback";
import { useSession } from "../SessionContext";
import { navigate } from "../router";
import { formatUtc } from "../lib/schedule";

const useStyles = makeStyles({
  cols: { display: "grid", gridTemplateColumns: "minmax(280px, 1fr) minmax(320px, 1.3fr)", gap: tokens.spacingHorizontalXL, alignItems: "start" },
  form: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "flex-end", flexWrap: "wrap" },
  card: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, padding: tokens.spacingVerticalL },
  key: { fontFamily: tokens.fontFamilyMonospace, wordBreak: "break-all", background: tokens.colorNeutralBackground3, padding: tokens.spacingVerticalS, borderRadius: tokens.borderRadiusMedium },
  selected: { background: tokens.colorBrandBackground2 },
});

export function Operator() {
  const styles = useStyles();
  const qc = useQueryClient();
  const { actAsTenant } = useSession();
  const tenants = useTenants();
  const [selected, setSelected] = useState<string | undefined>();
  const apiKeys = useApiKeys(selected);
  const [id, setId] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [keyName, setKeyName] = useState("dashboard");
  const [issued, setIssued] = useState<IssuedApiKey | null>(null);
  const [copied, setCopied] = useState(false);

  const createTenant = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/tenants", { body: { id: id.trim(), displayName: displayName.trim() || id.trim() }, headers: { "Idempotency-Key": newIdempotencyKey() } })),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: keys.tenants });
      setSelected(id.trim());
      setId("");
      setDisplayName("");
    },
  });
  const issue = useMutation({
    mutationFn: async () =>
      (await unwrap(
        api.POST("/api/v1/tenants/{tenantId}/api-keys", { params: { path: { tenantId: selected! } }, body: { name: keyName.trim() || "dashboard" }, headers: { "Idempotency-Key": newIdempotencyKey() } }),
      )) as unknown as IssuedApiKey,
    onSuccess: (k) => {
      setCopied(false);
      setIssued(k);
      qc.invalidateQueries({ queryKey: keys.apiKeys(selected!) });
    },
  });
  const revoke = useMutation({
    mutationFn: (keyId: string) => unwrap(api.DELETE("/api/v1/tenants/{tenantId}/api-keys/{keyId}", { params: { path: { tenantId: selected!, keyId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.apiKeys(selected!) }),
  });

  function submitTenant(e: FormEvent) {
    e.preventDefault();
    createTenant.mutate();
  }

  return (
    <section aria-labelledby="op-title" style={{ display: "flex", flexDirection: "column", gap: 16 }}>
      <Title2 as="h1" id="op-title">Operator</Title2>
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>The admin key manages tenants and their keys only.</MessageBarTitle>
          It cannot read or change a tenant's credentials and integrations. To work on a tenant: pick it, issue an API key, then “Continue as tenant” —
          the dashboard switches to that key (you can come back here from the top bar).
        </MessageBarBody>
      </MessageBar>
      <div className={styles.cols}>
        <Card className={styles.card}>
          <CardHeader header={<Subtitle1 as="h2">Tenants</Subtitle1>} />
          {tenants.isPending ? (
            <Loading />
          ) : tenants.error ? (
            <ProblemBar error={tenants.error} onRetry={() => tenants.refetch()} />
          ) : tenants.data!.items.length === 0 ? (
            <EmptyState title="No tenants yet">Create the first one below: its id becomes part of every API key it gets.</EmptyState>
          ) : (
            <Table size="small" aria-label="Tenants">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Id</TableHeaderCell>
                  <TableHeaderCell>Name</TableHeaderCell>
                  <TableHeaderCell>Created</TableHeaderCell>
                  <TableHeaderCell />
                </TableRow>
              </TableHeader>
              <TableBody>
                {tenants.data!.items.map((t) => (
                  <TableRow key={t.id} className={t.id === selected ? styles.selected : undefined}>
                    <TableCell style={{ whiteSpace: "nowrap" }}>
                      <code>{t.id}</code>
                    </TableCell>
                    <TableCell>{t.displayName}</TableCell>
                    <TableCell>{formatUtc(t.createdAt).slice(0, 10)}</TableCell>
                    <TableCell>
                      <Button size="small" appearance={t.id === selected ? "primary" : "secondary"} onClick={() => setSelected(t.id)} aria-pressed={t.id === selected}>
                        {t.id === selected ? "Selected" : "Select"}
                      </Button>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <form className={styles.form} onSubmit={submitTenant} aria-label="Create tenant">
            <Field label="Tenant id" required hint="a-z, 0-9 and -, 2 to 63 characters">
              <Input value={id} onChange={(_, d) => setId(d.value)} name="tenant-id" />
            </Field>
            <Field label="Display name">
              <Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} name="tenant-name" />
            </Field>
            <Button type="submit" appearance="primary" disabled={!id.trim() || createTenant.isPending}>
              Create tenant
            </Button>
          </form>
          <ProblemBar error={createTenant.error} />
        </Card>

        <Card className={styles.card}>
          <CardHeader header={<Subtitle1 as="h2">{selected ? `API keys of ${selected}` : "API keys"}</Subtitle1>} />
          {!selected ? (
            <Body1>Select a tenant to see, issue and revoke its API keys.</Body1>
          ) : (
            <>
              {apiKeys.isPending ? (
                <Loading />
              ) : apiKeys.error ? (
                <ProblemBar error={apiKeys.error} />
              ) : apiKeys.data!.items.length === 0 ? (
                <Body1>No keys yet: issue one to let the tenant (or you, continuing as it) call the API.</Body1>
              ) : (
                <Table size="small" aria-label="API keys">
                  <TableHeader>
                    <TableRow>
                      <TableHeaderCell>Key id</TableHeaderCell>
                      <TableHeaderCell>Name</TableHeaderCell>
                      <TableHeaderCell>Issued</TableHeaderCell>
                      <TableHeaderCell />
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {apiKeys.data!.items.map((k) => (
                      <TableRow key={k.keyId}>
                        <TableCell>
                          <code>{k.keyId}</code>
                        </TableCell>
                        <TableCell>{k.name}</TableCell>
                        <TableCell>{formatUtc(k.createdAt)}</TableCell>
                        <TableCell>
                          <Button size="small" onClick={() => revoke.mutate(k.keyId)} disabled={revoke.isPending} aria-label={`Revoke key ${k.name} (${k.keyId})`}>
                            Revoke
                          </Button>
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
              <ProblemBar error={revoke.error} />
              <form className={styles.form} onSubmit={(e) => (e.preventDefault(), issue.mutate())} aria-label="Issue API key">
                <Field label="Key name" required>
                  <Input value={keyName} onChange={(_, d) => setKeyName(d.value)} name="key-name" />
                </Field>
                <Button type="submit" appearance="primary" disabled={issue.isPending}>
                  Issue API key
                </Button>
              </form>
              <ProblemBar error={issue.error} />
            </>
          )}
        </Card>
      </div>

      <Dialog open={!!issued} modalType="alert" onOpenChange={(_, d) => !d.open && setIssued(null)}>
        <DialogSurface aria-describedby="issued-key-text">
          <DialogBody>
            <DialogTitle>API key for {selected}</DialogTitle>
            <DialogContent style={{ display: "flex", flexDirection: "column", gap: 12 }}>
              <Body1 id="issued-key-text">This key is shown only now. Copy it and hand it to the tenant, or continue as the tenant with it.</Body1>
              <div className={styles.key} data-testid="issued-key">
                {issued?.key}
              </div>
              <Caption1>{copied ? "Copied to the clipboard." : " "}</Caption1>
            </DialogContent>
            <DialogActions>
              <Button onClick={() => issued && navigator.clipboard?.writeText(issued.key).then(() => setCopied(true), () => setCopied(false))}>Copy</Button>
              <Button onClick={() => setIssued(null)}>Done</Button>
              <Button
                appearance="primary"
                onClick={() => {
                  if (!issued || !selected) return;
                  actAsTenant(selected, issued.key);
                  setIssued(null);
                  navigate("/");
                }}
              >
                Continue as {selected}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}
