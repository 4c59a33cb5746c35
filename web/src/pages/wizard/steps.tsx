import { forwardRef, useEffect, useMemo, useState } from "react";
import {
  Body1, Button, Caption1, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Radio, RadioGroup, Select, Spinner, Subtitle2, Switch, Text, Textarea,
  makeStyles, tokens,
} from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import type { Connector } from "../../api/client";
import { isMissingEndpoint, previewIntegration, useCredentials, useOccurrences } from "../../api/queries";
import { ConnectorLogo } from "../../components/ConnectorLogo";
import { CredentialForm, useCredentialCheck } from "../../components/CredentialForm";
import { Loading, ProblemBar } from "../../components/Feedback";
import { SchemaForm, type SchemaFormHandle } from "../../components/SchemaForm";
import { messagesFor, toErrorTree, type MappedErrors } from "../../lib/fieldErrors";
import { needsCredential } from "../../lib/jsonSchema";
import { formatRelative, formatUtc, looksLikeNcrontab, presetOf, SCHEDULE_PRESETS } from "../../lib/schedule";
import { parseMapping, toBody, type Draft } from "./draft";

const useStyles = makeStyles({
  col: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "760px" },
  connectors: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(230px, 1fr))", gap: tokens.spacingHorizontalS },
  connectorOption: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingVerticalXS,
  },
  row: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "flex-start", flexWrap: "wrap" },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  editor: { fontFamily: tokens.fontFamilyMonospace, minHeight: "150px" },
  occurrences: { margin: 0, paddingLeft: "20px", fontVariantNumeric: "tabular-nums" },
  previewGrid: { display: "grid", gridTemplateColumns: "1fr 1fr", gap: tokens.spacingHorizontalS },
  pre: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    background: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingVerticalXS,
    margin: 0,
    whiteSpace: "pre-wrap",
    wordBreak: "break-all",
    maxHeight: "140px",
    overflow: "auto",
  },
  twoCols: { display: "grid", gridTemplateColumns: "minmax(320px, 1fr) minmax(320px, 1fr)", gap: tokens.spacingHorizontalXL, alignItems: "start" },
  summary: { display: "grid", gridTemplateColumns: "160px 1fr", rowGap: tokens.spacingVerticalXS, columnGap: tokens.spacingHorizontalM, margin: 0 },
});

/* ---------- 1. Connector ---------- */

export function ConnectorStep({ connectors, value, onChange, locked, errors }: { connectors: Connector[]; value?: string; onChange: (c: Connector) => void; locked?: boolean; errors: MappedErrors }) {
  const styles = useStyles();
  return (
    <div className={styles.col}>
      {locked && <Body1>The connector of an existing integration cannot change (its cursor belongs to it).</Body1>}
      <Field label="Connector" required validationMessage={messagesFor(errors, "connectorId")}>
        <RadioGroup
          value={value ?? ""}
          onChange={(_, d) => {
            const c = connectors.find((x) => x.id === d.value);
            if (c) onChange(c);
          }}
          disabled={locked}
          className={styles.connectors}
          aria-label="Connector"
        >
          {connectors.map((c) => (
            <div key={c.id} className={styles.connectorOption}>
              <Radio
                value={c.id}
                label={
                  <span style={{ display: "inline-flex", alignItems: "center", gap: 8 }}>
                    <ConnectorLogo id={c.id} name={c.displayName} size={28} />
                    <span>
                      <Text weight="semibold">{c.displayName}</Text>
                      <Caption1 style={{ display: "block" }}>
                        {c.category} · {needsCredential(c.credentialSchema) ? "needs a credential" : "no credential"}
                      </Caption1>
                    </span>
                  </span>
                }
              />
            </div>
          ))}
        </RadioGroup>
      </Field>
    </div>
  );
}

/* ---------- 2. Credential ---------- */

export function CredentialStep({
  connector,
  value,
  onChange,
  configuration,
  errors,
}: {
  connector: Connector;
  value?: string | null;
  onChange: (id: string | null) => void;
  configuration: Record<string, unknown>;
  errors: MappedErrors;
}) {
  const styles = useStyles();
  const creds = useCredentials(connector.id);
  const check = useCredentialCheck();
  const [creating, setCreating] = useState(false);
  const items = (creds.data?.items ?? []).filter((c) => c.connectorId === connector.id);
  useEffect(() => {
    if (creds.data && items.length === 0) setCreating(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [creds.data]);

  if (!needsCredential(connector.credentialSchema)) {
    return (
      <div className={styles.col}>
        <MessageBar intent="success">
          <MessageBarBody>{connector.displayName} needs no credential. Continue to its configuration.</MessageBarBody>
        </MessageBar>
      </div>
    );
  }
  return (
    <div className={styles.col}>
      {creds.isPending ? (
        <Loading label="Loading credentials…" />
      ) : creds.error ? (
        <ProblemBar error={creds.error} onRetry={() => creds.refetch()} />
      ) : (
        <Field label={`${connector.displayName} credential`} required validationMessage={messagesFor(errors, "credentialId")}>
          {items.length === 0 ? (
            <Body1>No {connector.displayName} credential yet: create one below.</Body1>
          ) : (
            <RadioGroup value={value ?? ""} onChange={(_, d) => (onChange(d.value), check.reset())} aria-label="Credential">
              {items.map((c) => (
                <Radio
                  key={c.id}
                  value={c.id}
                  label={
                    <span>
                      {c.name}{" "}
                      <Caption1 className={styles.mono}>
                        {Object.entries(c.masked ?? {})
                          .map(([k, v]) => `${k}: ${v}`)
                          .join(", ")}
                      </Caption1>
                      {c.lastCheck && <Caption1> · last check {c.lastCheck.succeeded ? "OK" : "failed"}</Caption1>}
                    </span>
                  }
                />
              ))}
            </RadioGroup>
          )}
        </Field>
      )}
      {value && (
        <div className={styles.row}>
          <Button onClick={() => check.mutate({ id: value, configuration })} disabled={check.isPending}>
            {check.isPending ? "Testing…" : "Test connection"}
          </Button>
          {check.isPending && <Spinner size="tiny" />}
        </div>
      )}
      {check.data && (
        <MessageBar intent={check.data.succeeded ? "success" : "error"} layout="multiline" role="status" data-testid="check-result">
          <MessageBarBody>
            <MessageBarTitle>{check.data.succeeded ? "Connection works" : "Connection refused"}</MessageBarTitle>
            {check.data.message}
          </MessageBarBody>
        </MessageBar>
      )}
      <ProblemBar error={check.error} />
      <Caption1>The test uses the configuration entered so far ({Object.keys(configuration).length ? "from the next step" : "empty until the next step"}); you can test again there.</Caption1>
      {creating ? (
        <div style={{ borderTop: `1px solid ${tokens.colorNeutralStroke2}`, paddingTop: 12 }}>
          <Subtitle2 as="h3">New credential</Subtitle2>
          <CredentialForm
            connector={connector}
            onCreated={(c) => {
              onChange(c.id);
              setCreating(false);
            }}
            onCancel={items.length ? () => setCreating(false) : undefined}
          />
        </div>
      ) : (
        <Button appearance="secondary" onClick={() => setCreating(true)} style={{ alignSelf: "flex-start" }}>
          New credential…
        </Button>
      )}
    </div>
  );
}

/* ---------- 3. Configuration ---------- */

export const ConfigurationStep = forwardRef<
  SchemaFormHandle,
  { connector: Connector; value: Record<string, unknown>; onChange: (v: Record<string, unknown>) => void; errors: MappedErrors; credentialId?: string | null }
>(function ConfigurationStep({ connector, value, onChange, errors, credentialId }, ref) {
  const styles = useStyles();
  const check = useCredentialCheck();
  const extra = useMemo(() => toErrorTree(errors.byStep.configuration.filter((e) => e.field === "configuration")), [errors]);
  const whole = errors.byStep.configuration.filter((e) => e.field === "configuration" && !e.path);
  return (
    <div className={styles.col}>
      <Body1>{(connector.configurationSchema as { description?: string })?.description ?? `Settings of the ${connector.displayName} connector.`}</Body1>
      {whole.length > 0 && (
        <MessageBar intent="error">
          <MessageBarBody>{whole.flatMap((e) => e.messages).join(" ")}</MessageBarBody>
        </MessageBar>
      )}
      <SchemaForm ref={ref} idPrefix="configuration" schema={connector.configurationSchema} value={value} onChange={onChange} extraErrors={extra as never} />
      {credentialId && (
        <div className={styles.row}>
          <Button onClick={() => check.mutate({ id: credentialId, configuration: value })} disabled={check.isPending}>
            {check.isPending ? "Testing…" : "Test connection with this configuration"}
          </Button>
        </div>
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
    </div>
  );
});

/* ---------- 4. Stream, schedule, topic, mapping ---------- */

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function Occurrences({ schedule, serverError }: { schedule: string; serverError?: string }) {
  const styles = useStyles();
  const debounced = useDebounced(schedule.trim(), 400);
  const local = debounced && !looksLikeNcrontab(debounced) ? "Six fields: {second} {minute} {hour} {day} {month} {day-of-week}, e.g. 0 */15 * * * *." : undefined;
  const q = useOccurrences(local ? "" : debounced, 5);
  if (!debounced) return <Caption1>No schedule: the integration runs only when started (Run now, or the API).</Caption1>;
  if (local) return null;
  if (q.isPending) return <Loading label="Next runs…" />;
  if (q.error) {
    if (isMissingEndpoint(q.error)) return <Caption1>This hub cannot list upcoming runs yet (schedules/occurrences endpoint); the schedule is checked when you save.</Caption1>;
    if (q.error.status === 400) return serverError ? null : <Caption1 role="alert" style={{ color: tokens.colorPaletteRedForeground1 }}>{(q.error.fieldErrors.schedule ?? [q.error.message]).join(" ")}</Caption1>;
    return <ProblemBar error={q.error} />;
  }
  return (
    <div aria-live="polite">
      <Caption1>Next five runs (UTC):</Caption1>
      <ol className={styles.occurrences} data-testid="occurrences">
        {q.data!.occurrences.map((o) => (
          <li key={o}>
            {formatUtc(o)} <Caption1>({formatRelative(o)})</Caption1>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function MappingPreview({ draft, connector }: { draft: Draft; connector: Connector }) {
  const styles = useStyles();
  const body = useMemo(() => toBody({ ...draft, name: draft.name || "preview" }, connector), [draft, connector]);
  const key = useDebounced(JSON.stringify(body), 700);
  const mappingOk = !parseMapping(draft.mappingText).error;
  const q = useQuery({
    queryKey: ["preview", key],
    queryFn: ({ signal }) => previewIntegration(JSON.parse(key), signal),
    enabled: mappingOk && !!body.connectorId,
    retry: false,
    staleTime: 60_000,
  });
  return (
    <section aria-label="Mapping preview" aria-live="polite" style={{ display: "flex", flexDirection: "column", gap: 8 }}>
      <div className={styles.row} style={{ alignItems: "center" }}>
        <Subtitle2 as="h3" style={{ marginRight: "auto" }}>
          Preview (first page, up to 10 records)
        </Subtitle2>
        <Button size="small" onClick={() => q.refetch()} disabled={q.isFetching || !mappingOk}>
          {q.isFetching ? "Previewing…" : "Refresh preview"}
        </Button>
      </div>
      {!mappingOk ? (
        <Caption1>Fix the mapping's JSON to see a preview.</Caption1>
      ) : q.isPending && q.isFetching ? (
        <Loading label="Reading a page from the source…" />
      ) : q.error ? (
        isMissingEndpoint(q.error) ? (
          <Caption1>This hub cannot preview yet (integrations/preview endpoint); the mapping is validated when you save.</Caption1>
        ) : (
          <ProblemBar error={q.error} hint="Fix the fields named above (their steps are marked), then refresh." />
        )
      ) : q.data ? (
        q.data.records.length === 0 ? (
          <Caption1>The source returned no records for this configuration.</Caption1>
        ) : (
          <div data-testid="preview-records" style={{ display: "flex", flexDirection: "column", gap: 6 }}>
            <div className={styles.previewGrid}>
              <Caption1>Source record</Caption1>
              <Caption1>Published data (after mapping)</Caption1>
            </div>
            {q.data.records.slice(0, 10).map((r, i) => (
              <div key={i} className={styles.previewGrid}>
                <pre className={styles.pre}>{JSON.stringify(r.raw, null, 1)}</pre>
                <pre className={styles.pre}>{JSON.stringify(r.mapped, null, 1)}</pre>
              </div>
            ))}
          </div>
        )
      ) : null}
    </section>
  );
}

export function StreamStep({ connector, draft, onChange, errors, tenant }: { connector: Connector; draft: Draft; onChange: (patch: Partial<Draft>) => void; errors: MappedErrors; tenant?: string }) {
  const styles = useStyles();
  const [preset, setPreset] = useState(() => presetOf(draft.schedule));
  const mapping = parseMapping(draft.mappingText);
  const streamInfo = connector.streams?.find((s) => s.name === draft.stream);
  const scheduleError = messagesFor(errors, "schedule");
  return (
    <div className={styles.twoCols}>
      <div className={styles.col}>
        <Field label="Stream" required hint={streamInfo?.description} validationMessage={messagesFor(errors, "stream")}>
          <Select value={draft.stream ?? ""} onChange={(_, d) => onChange({ stream: d.value })} disabled={(connector.streams?.length ?? 0) <= 1}>
            {(connector.streams ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </Select>
        </Field>
        <div className={styles.row}>
          <Field label="Schedule">
            <Select
              value={preset}
              onChange={(_, d) => {
                setPreset(d.value);
                if (d.value !== "custom") onChange({ schedule: d.value });
              }}
            >
              {SCHEDULE_PRESETS.map((p) => (
                <option key={p.label} value={p.value}>
                  {p.label}
                </option>
              ))}
              <option value="custom">Custom NCRONTAB…</option>
            </Select>
          </Field>
          <Field label="NCRONTAB (six fields, UTC)" validationMessage={scheduleError} style={{ flexGrow: 1 }}>
            <Input
              className={styles.mono}
              value={draft.schedule}
              placeholder="0 */15 * * * *"
              onChange={(_, d) => {
                onChange({ schedule: d.value });
                setPreset(presetOf(d.value));
              }}
            />
          </Field>
        </div>
        <Occurrences schedule={draft.schedule} serverError={scheduleError} />
        <Field label="Topic" hint={`Empty: hub.${tenant ?? "{tenant}"}.${connector.id}.${draft.stream ?? "{stream}"}. A short name or persistent://tenant/namespace/topic.`} validationMessage={messagesFor(errors, "topic")}>
          <Input className={styles.mono} value={draft.topic} onChange={(_, d) => onChange({ topic: d.value })} placeholder={`hub.${tenant ?? "tenant"}.${connector.id}.${draft.stream ?? "stream"}`} />
        </Field>
        <Field
          label="Mapping (JSON)"
          hint='Output field → "$.path", {"const": …}, {"path": …, "default": …}, {"template": "#{{$.number}} {{$.title}}"} or a nested object. Empty: records are published as read.'
          validationMessage={mapping.error ?? messagesFor(errors, "mapping")}
        >
          <Textarea
            className={styles.editor}
            textarea={{ className: styles.mono, spellCheck: false }}
            value={draft.mappingText}
            onChange={(_, d) => onChange({ mappingText: d.value })}
            resize="vertical"
            rows={8}
            placeholder={'{\n  "id": "$.id",\n  "title": "$.title"\n}'}
          />
        </Field>
      </div>
      <MappingPreview draft={draft} connector={connector} />
    </div>
  );
}

/* ---------- 5. Review ---------- */

export function ReviewStep({ connector, draft, onChange, errors, credentialName }: { connector: Connector; draft: Draft; onChange: (p: Partial<Draft>) => void; errors: MappedErrors; credentialName?: string }) {
  const styles = useStyles();
  const other = errors.byStep.review.filter((e) => e.field !== "name" && e.field !== "enabled");
  return (
    <div className={styles.col}>
      <Field label="Name" required validationMessage={messagesFor(errors, "name")}>
        <Input value={draft.name} onChange={(_, d) => onChange({ name: d.value })} name="integration-name" />
      </Field>
      <Switch checked={draft.enabled} onChange={(_, d) => onChange({ enabled: d.checked })} label={draft.enabled ? "Enabled: runs on its schedule" : "Disabled: no scheduled runs"} />
      {other.length > 0 && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            {other.map((e) => (
              <div key={e.key}>
                <code>{e.key}</code>: {e.messages.join(" ")}
              </div>
            ))}
          </MessageBarBody>
        </MessageBar>
      )}
      <dl className={styles.summary}>
        <dt>Connector</dt>
        <dd style={{ margin: 0 }}>{connector.displayName}</dd>
        <dt>Credential</dt>
        <dd style={{ margin: 0 }}>{needsCredential(connector.credentialSchema) ? (credentialName ?? draft.credentialId ?? "none chosen") : "not needed"}</dd>
        <dt>Stream</dt>
        <dd style={{ margin: 0 }}>{draft.stream}</dd>
        <dt>Schedule (UTC)</dt>
        <dd style={{ margin: 0 }}>{draft.schedule ? <code>{draft.schedule}</code> : "on demand only"}</dd>
        <dt>Topic</dt>
        <dd style={{ margin: 0 }}>{draft.topic || "default"}</dd>
        <dt>Configuration</dt>
        <dd style={{ margin: 0 }}>
          <pre className={styles.pre}>{JSON.stringify(draft.configuration, null, 2)}</pre>
        </dd>
        <dt>Mapping</dt>
        <dd style={{ margin: 0 }}>{draft.mappingText.trim() ? <pre className={styles.pre}>{draft.mappingText}</pre> : "none (records as read)"}</dd>
      </dl>
    </div>
  );
}
