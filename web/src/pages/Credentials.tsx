import { useRef, useState } from "react";
import {
  Body1, Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, MessageBar, MessageBarBody, MessageBarTitle, Select,
  Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Title2, makeStyles, tokens,
} from "@fluentui/react-components";
import { AddRegular } from "@fluentui/react-icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, unwrap, unwrapWithEtag, type Credential } from "../api/client";
import { useCatalog, useCredentials } from "../api/queries";
import { ConnectorLogo } from "../components/ConnectorLogo";
import { CredentialForm, useCredentialCheck } from "../components/CredentialForm";
import { EmptyState, Loading, ProblemBar, StatusBadge } from "../components/Feedback";
import { SchemaForm, type SchemaFormHandle } from "../components/SchemaForm";
import { needsCredential, pruneEmpty } from "../lib/jsonSchema";
import { formatRelative, formatUtc } from "../lib/schedule";
import { mapFieldErrors, toErrorTree } from "../lib/fieldErrors";
import { defaultConfiguration } from "./wizard/draft";

const useStyles = makeStyles({
  head: { display: "flex", alignItems: "center", marginBottom: tokens.spacingVerticalL, gap: tokens.spacingHorizontalM },
  masked: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  actions: { display: "flex", gap: tokens.spacingHorizontalXS, flexWrap: "wrap" },
  ok: { color: tokens.colorPaletteGreenForeground1 },
  bad: { color: tokens.colorPaletteRedForeground1 },
});

/** A refused delete (409) names the integrations using the credential (in the title); show them plainly. */
export function conflictText(e: unknown): string | null {
  if (!(e instanceof ApiError) || e.status !== 409) return null;
  const p = e.problem as Record<string, unknown>;
  const list = (p.integrations ?? p.integrationIds ?? p.usedBy) as unknown;
  const names = Array.isArray(list) ? list.map((x) => (typeof x === "string" ? x : ((x as { name?: string; id?: string }).name ?? (x as { id?: string }).id))).join(", ") : "";
  const parts = [p.title, names && `Used by: ${names}.`, p.detail ?? "Delete those integrations or point them at another credential first."];
  return parts.filter(Boolean).join(" ");
}

export function Credentials() {
  const styles = useStyles();
  const qc = useQueryClient();
  const creds = useCredentials();
  const catalog = useCatalog();
  const check = useCredentialCheck();
  const [checking, setChecking] = useState<Credential | null>(null);
  const [checkConfig, setCheckConfig] = useState<Record<string, unknown>>({});
  const checkRef = useRef<SchemaFormHandle>(null);
  const [creating, setCreating] = useState<string | null>(null);
  const [rotating, setRotating] = useState<Credential | null>(null);
  const [rotateValues, setRotateValues] = useState<Record<string, unknown>>({});
  const rotateRef = useRef<SchemaFormHandle>(null);
  const [deleting, setDeleting] = useState<Credential | null>(null);
  const connectors = catalog.data?.items ?? [];
  const connector = (id: string) => connectors.find((c) => c.id === id);

  const rotate = useMutation({
    mutationFn: async (c: Credential) => {
      const { etag } = await unwrapWithEtag(api.GET("/api/v1/credentials/{id}", { params: { path: { id: c.id } } }));
      return unwrap(api.PUT("/api/v1/credentials/{id}", { params: { path: { id: c.id } }, body: { values: pruneEmpty(rotateValues) }, headers: etag ? { "If-Match": etag } : {} }));
    },
    onSuccess: () => (setRotating(null), setRotateValues({}), qc.invalidateQueries({ queryKey: ["credentials"] })),
  });
  const remove = useMutation({
    mutationFn: async (c: Credential) => {
      const { etag } = await unwrapWithEtag(api.GET("/api/v1/credentials/{id}", { params: { path: { id: c.id } } }));
      return unwrap(api.DELETE("/api/v1/credentials/{id}", { params: { path: { id: c.id } }, headers: etag ? { "If-Match": etag } : {} }));
    },
    onSuccess: () => (setDeleting(null), qc.invalidateQueries({ queryKey: ["credentials"] })),
  });

  const items = creds.data?.items ?? [];
  const withCreds = connectors.filter((c) => needsCredential(c.credentialSchema));

  return (
    <section aria-labelledby="cred-title">
      <div className={styles.head}>
        <Title2 as="h1" id="cred-title" style={{ marginRight: "auto" }}>
          Credentials
        </Title2>
        <Field label={{ children: "New credential", style: { whiteSpace: "nowrap" } }} orientation="horizontal">
          <Select value={creating ?? ""} onChange={(_, d) => setCreating(d.value || null)}>
            <option value="">Choose a connector…</option>
            {withCreds.map((c) => (
              <option key={c.id} value={c.id}>
                {c.displayName}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      {creating && connector(creating) && (
        <div style={{ marginBottom: 16, maxWidth: 640 }}>
          <CredentialForm connector={connector(creating)!} onCreated={() => setCreating(null)} onCancel={() => setCreating(null)} />
        </div>
      )}
      {creds.isPending ? (
        <Loading />
      ) : creds.error ? (
        <ProblemBar error={creds.error} onRetry={() => creds.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No credentials yet" action={<Button icon={<AddRegular />} onClick={() => setCreating(withCreds[0]?.id ?? null)}>New credential</Button>}>
          A credential holds the token or password a connector signs in with. Create one here or while setting up an integration.
        </EmptyState>
      ) : (
        <Table aria-label="Credentials" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Connector</TableHeaderCell>
              <TableHeaderCell>Values (masked)</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Last check</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((c) => (
              <TableRow key={c.id}>
                <TableCell>
                  {c.name}
                  <Caption1 style={{ display: "block" }}>{c.id}</Caption1>
                </TableCell>
                <TableCell>
                  <span style={{ display: "inline-flex", gap: 6, alignItems: "center" }}>
                    <ConnectorLogo id={c.connectorId} name={connector(c.connectorId)?.displayName ?? c.connectorId} size={20} />
                    {connector(c.connectorId)?.displayName ?? c.connectorId}
                  </span>
                </TableCell>
                <TableCell className={styles.masked}>
                  {Object.entries(c.masked ?? {}).map(([k, v]) => (
                    <div key={k}>
                      {k}: {v}
                    </div>
                  ))}
                </TableCell>
                <TableCell>
                  <StatusBadge status={c.status} />
                </TableCell>
                <TableCell>
                  {c.lastCheck ? (
                    <span className={c.lastCheck.succeeded ? styles.ok : styles.bad} title={formatUtc(c.lastCheck.at)}>
                      {c.lastCheck.succeeded ? "OK" : "Failed"} {formatRelative(c.lastCheck.at)}: {c.lastCheck.message}
                    </span>
                  ) : (
                    <Caption1>never checked</Caption1>
                  )}
                </TableCell>
                <TableCell>
                  <div className={styles.actions}>
                    <Button
                      size="small"
                      onClick={() => {
                        check.reset();
                        const conn = connector(c.connectorId);
                        setCheckConfig(conn ? defaultConfiguration(conn) : {});
                        setChecking(c);
                      }}
                      aria-label={`Check ${c.name}`}
                    >
                      Check
                    </Button>
                    <Button size="small" onClick={() => (setRotateValues({}), rotate.reset(), setRotating(c))} aria-label={`Rotate ${c.name}`}>
                      Rotate
                    </Button>
                    <Button size="small" onClick={() => (remove.reset(), setDeleting(c))} aria-label={`Delete ${c.name}`}>
                      Delete
                    </Button>
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}

      <Dialog open={!!checking} onOpenChange={(_, d) => !d.open && setChecking(null)}>
        <DialogSurface style={{ maxWidth: 720 }}>
          <DialogBody>
            <DialogTitle>Test {checking?.name}</DialogTitle>
            <DialogContent style={{ display: "flex", flexDirection: "column", gap: 12 }}>
              <Body1>The connector checks the stored values against the external system, with the configuration below (what an integration would use).</Body1>
              {checking && (
                <SchemaForm
                  ref={checkRef}
                  idPrefix="check"
                  schema={connector(checking.connectorId)?.configurationSchema}
                  value={checkConfig}
                  onChange={setCheckConfig}
                  extraErrors={toErrorTree(mapFieldErrors(check.error instanceof ApiError ? check.error.fieldErrors : {}).byStep.configuration) as never}
                />
              )}
              {check.data && (
                <MessageBar intent={check.data.succeeded ? "success" : "error"} layout="multiline" role="status">
                  <MessageBarBody>
                    <MessageBarTitle>{check.data.succeeded ? "Connection works" : "Connection refused"}</MessageBarTitle>
                    {check.data.message}
                  </MessageBarBody>
                </MessageBar>
              )}
              <ProblemBar error={check.error} />
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setChecking(null)}>Close</Button>
              <Button appearance="primary" disabled={check.isPending} onClick={() => checking && checkRef.current?.validateForm() !== false && check.mutate({ id: checking.id, configuration: checkConfig })}>
                {check.isPending ? "Testing…" : "Test connection"}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>

      <Dialog open={!!rotating} onOpenChange={(_, d) => !d.open && setRotating(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Rotate {rotating?.name}</DialogTitle>
            <DialogContent style={{ display: "flex", flexDirection: "column", gap: 12 }}>
              <Body1>Enter the new values. They replace the stored ones (a check-and-set write: if someone rotated it meanwhile you are told).</Body1>
              {rotating && <SchemaForm ref={rotateRef} idPrefix="rotate" schema={connector(rotating.connectorId)?.credentialSchema} value={rotateValues} onChange={setRotateValues} />}
              <ProblemBar error={rotate.error} />
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setRotating(null)}>Cancel</Button>
              <Button appearance="primary" disabled={rotate.isPending} onClick={() => rotating && rotateRef.current?.validateForm() !== false && rotate.mutate(rotating)}>
                Save new values
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>

      <Dialog open={!!deleting} onOpenChange={(_, d) => !d.open && setDeleting(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Delete {deleting?.name}?</DialogTitle>
            <DialogContent style={{ display: "flex", flexDirection: "column", gap: 12 }}>
              <Body1>The secret is destroyed in the secret store. The hub refuses while an integration uses it.</Body1>
              {conflictText(remove.error) ? (
                <MessageBar intent="error" layout="multiline" role="alert">
                  <MessageBarBody>
                    <MessageBarTitle>Still in use</MessageBarTitle>
                    {conflictText(remove.error)}
                  </MessageBarBody>
                </MessageBar>
              ) : (
                <ProblemBar error={remove.error} />
              )}
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setDeleting(null)}>Cancel</Button>
              <Button appearance="primary" disabled={remove.isPending} onClick={() => deleting && remove.mutate(deleting)}>
                Delete
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}
