import { useEffect, useMemo, useRef, useState } from "react";
import { Badge, Button, Caption1, MessageBar, MessageBarBody, MessageBarTitle, Subtitle1, Title2, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, newIdempotencyKey, unwrap, type Connector, type Integration } from "../../api/client";
import { keys, useCatalog, useCredentials, useIntegration } from "../../api/queries";
import { isStale, replaceIntegration, STALE_MESSAGE } from "../../api/mutations";
import { Loading, ProblemBar } from "../../components/Feedback";
import type { SchemaFormHandle } from "../../components/SchemaForm";
import { clearFieldErrors, mapFieldErrors, STEP_ORDER, type StepId } from "../../lib/fieldErrors";
import { needsCredential } from "../../lib/jsonSchema";
import { looksLikeNcrontab } from "../../lib/schedule";
import { navigate } from "../../router";
import { useSession } from "../../SessionContext";
import { draftForConnector, draftFromIntegration, emptyDraft, parseMapping, toBody, type Draft } from "./draft";
import { ConfigurationStep, ConnectorStep, CredentialStep, ReviewStep, StreamStep } from "./steps";

const TITLES: Record<StepId, string> = {
  connector: "Connector",
  credential: "Credential",
  configuration: "Configuration",
  stream: "Stream, schedule & mapping",
  review: "Review",
};

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  steps: { display: "flex", gap: tokens.spacingHorizontalXS, listStyle: "none", padding: 0, margin: 0, flexWrap: "wrap", counterReset: "step" },
  step: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
  },
  current: { fontWeight: tokens.fontWeightSemibold },
  body: { background: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusLarge, padding: tokens.spacingVerticalXL, boxShadow: tokens.shadow4 },
  nav: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center" },
});

/** Retries a create that the hub says is still being processed under the same Idempotency-Key (a double submit). */
async function createOnce<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && attempt < 6 && /still being processed/i.test(e.problem.title ?? "")) {
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      throw e;
    }
  }
}

export function Wizard({ connectorId, integrationId }: { connectorId?: string; integrationId?: string }) {
  const styles = useStyles();
  const qc = useQueryClient();
  const { session } = useSession();
  const catalog = useCatalog();
  const existing = useIntegration(integrationId);
  const editing = !!integrationId;
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [etag, setEtag] = useState<string | null>(null);
  const [step, setStep] = useState<StepId>("connector");
  const [serverErrors, setServerErrors] = useState<Record<string, string[]>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  // One Idempotency-Key per wizard session: a double click (or a retry after a lost response) creates once.
  const idempotencyKey = useRef(newIdempotencyKey());
  const configRef = useRef<SchemaFormHandle>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const initialised = useRef(false);

  const connectors = catalog.data?.items ?? [];
  const connector: Connector | undefined = connectors.find((c) => c.id === draft.connectorId);
  const creds = useCredentials(connector?.id);

  // Start: from the gallery's connector, or from the integration being edited.
  useEffect(() => {
    if (initialised.current || !catalog.data) return;
    if (editing) {
      if (!existing.data) return;
      setDraft(draftFromIntegration(existing.data.data));
      setEtag(existing.data.etag);
      setStep("credential");
      initialised.current = true;
    } else {
      const c = connectorId ? catalog.data.items.find((x) => x.id === connectorId) : undefined;
      if (c) {
        setDraft(draftForConnector(c));
        setStep("credential");
      }
      initialised.current = true;
    }
  }, [catalog.data, existing.data, editing, connectorId]);

  useEffect(() => {
    headingRef.current?.focus();
  }, [step]);

  const mapped = useMemo(() => mapFieldErrors(serverErrors), [serverErrors]);
  const patch = (p: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...p }));
    // A field the user changes loses the hub's old complaint about it.
    const touched = Object.keys(p).map((k) => (k === "mappingText" ? "mapping" : k));
    setServerErrors((errs) => clearFieldErrors(errs, touched));
  };

  const save = useMutation({
    mutationFn: async (): Promise<Integration> => {
      const body = toBody(draft, connector);
      if (editing) {
        const r = await replaceIntegration(integrationId!, body, etag);
        return r.data;
      }
      return createOnce(() => unwrap(api.POST("/api/v1/integrations", { body, headers: { "Idempotency-Key": idempotencyKey.current } })));
    },
    onSuccess: (i) => {
      qc.invalidateQueries({ queryKey: keys.integrations });
      qc.invalidateQueries({ queryKey: keys.integration(i.id) });
      navigate(`/integrations/${encodeURIComponent(i.id)}`);
    },
    onError: async (e) => {
      if (isStale(e)) {
        // Someone else saved first: reload their version and start again from it.
        const fresh = await existing.refetch();
        if (fresh.data) {
          setDraft(draftFromIntegration(fresh.data.data));
          setEtag(fresh.data.etag);
        }
        setServerErrors({});
        setNotice(STALE_MESSAGE);
        return;
      }
      if (e instanceof ApiError && Object.keys(e.fieldErrors).length) {
        const m = mapFieldErrors(e.fieldErrors);
        setServerErrors(e.fieldErrors);
        if (m.firstStep) setStep(m.firstStep);
      }
    },
  });

  if (catalog.isPending || (editing && existing.isPending)) return <Loading />;
  if (catalog.error) return <ProblemBar error={catalog.error} onRetry={() => catalog.refetch()} />;
  if (existing.error) return <ProblemBar error={existing.error} onRetry={() => existing.refetch()} />;

  const index = STEP_ORDER.indexOf(step);

  /** Checks the current step before moving on; returns a message when it is not complete. */
  function validate(s: StepId): string | null {
    if (s === "connector" && !connector) return "Choose a connector.";
    if (s === "credential" && connector && needsCredential(connector.credentialSchema) && !draft.credentialId) return "Choose or create a credential.";
    if (s === "configuration" && configRef.current && !configRef.current.validateForm()) return "Some settings are missing or invalid: see the marked fields.";
    if (s === "stream") {
      if (draft.schedule.trim() && !looksLikeNcrontab(draft.schedule)) return "The schedule needs six fields: {second} {minute} {hour} {day} {month} {day-of-week}.";
      const m = parseMapping(draft.mappingText);
      if (m.error) return m.error;
    }
    if (s === "review" && !draft.name.trim()) return "Give the integration a name.";
    return null;
  }
  function go(to: StepId) {
    const from = STEP_ORDER.indexOf(step);
    const target = STEP_ORDER.indexOf(to);
    if (target > from) {
      for (let i = from; i < target; i++) {
        const problem = validate(STEP_ORDER[i]);
        if (problem) {
          setStep(STEP_ORDER[i]);
          setLocalError(problem);
          return;
        }
      }
    }
    setLocalError(null);
    setStep(to);
  }
  function submit() {
    const problem = STEP_ORDER.map((s) => [s, validate(s)] as const).find(([s, p]) => p && s !== "configuration");
    if (problem) {
      setStep(problem[0]);
      setLocalError(problem[1]);
      return;
    }
    setLocalError(null);
    setNotice(null);
    save.mutate();
  }

  const credentialName = creds.data?.items.find((c) => c.id === draft.credentialId)?.name;
  const otherError = save.error && !(save.error instanceof ApiError && (Object.keys(save.error.fieldErrors).length || save.error.status === 412)) ? save.error : null;

  return (
    <section className={styles.root} aria-labelledby="wizard-title">
      <Title2 as="h1" id="wizard-title">
        {editing ? `Edit ${existing.data?.data.name ?? "integration"}` : connector ? `New ${connector.displayName} integration` : "New integration"}
      </Title2>
      <nav aria-label="Wizard steps">
        <ol className={styles.steps}>
          {STEP_ORDER.map((s, i) => {
            const count = mapped.byStep[s].length;
            return (
              <li key={s} className={styles.step}>
                <Button
                  appearance={s === step ? "primary" : i < index ? "secondary" : "subtle"}
                  className={mergeClasses(s === step && styles.current)}
                  aria-current={s === step ? "step" : undefined}
                  onClick={() => go(s)}
                  disabled={s === "connector" && editing ? false : !connector && i > 0}
                >
                  {i + 1}. {TITLES[s]}
                  {count > 0 && (
                    <Badge color="danger" size="small" style={{ marginLeft: 6 }} aria-label={`${count} error${count > 1 ? "s" : ""}`}>
                      {count}
                    </Badge>
                  )}
                </Button>
                {i < STEP_ORDER.length - 1 && <span aria-hidden="true">›</span>}
              </li>
            );
          })}
        </ol>
      </nav>

      {notice && (
        <MessageBar intent="warning" layout="multiline" role="alert" data-testid="stale-notice">
          <MessageBarBody>
            <MessageBarTitle>Changed elsewhere</MessageBarTitle>
            {notice}
          </MessageBarBody>
        </MessageBar>
      )}

      <div className={styles.body}>
        <h2 ref={headingRef} tabIndex={-1} style={{ marginTop: 0, marginBottom: 12, outline: "none" }}>
          <Subtitle1>
            {index + 1}. {TITLES[step]}
          </Subtitle1>
        </h2>
        {step === "connector" && (
          <ConnectorStep
            connectors={connectors}
            value={draft.connectorId}
            locked={editing}
            errors={mapped}
            onChange={(c) => {
              setDraft((d) => draftForConnector(c, { ...d, name: "" }));
              setServerErrors({});
            }}
          />
        )}
        {step === "credential" && connector && (
          <CredentialStep connector={connector} value={draft.credentialId} onChange={(id) => patch({ credentialId: id })} configuration={draft.configuration} errors={mapped} />
        )}
        {step === "configuration" && connector && (
          <ConfigurationStep ref={configRef} connector={connector} value={draft.configuration} onChange={(v) => patch({ configuration: v })} errors={mapped} credentialId={draft.credentialId} />
        )}
        {step === "stream" && connector && <StreamStep connector={connector} draft={draft} onChange={patch} errors={mapped} tenant={session?.tenant} />}
        {step === "review" && connector && <ReviewStep connector={connector} draft={draft} onChange={patch} errors={mapped} credentialName={credentialName} />}
      </div>

      {localError && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{localError}</MessageBarBody>
        </MessageBar>
      )}
      {mapped.all.length > 0 && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>The hub refused the definition</MessageBarTitle>
            {mapped.all.length} field{mapped.all.length > 1 ? "s need" : " needs"} attention; the steps with a red count show where.
          </MessageBarBody>
        </MessageBar>
      )}
      <ProblemBar error={otherError} />

      <div className={styles.nav}>
        <Button onClick={() => (index > 0 ? go(STEP_ORDER[index - 1]) : navigate(editing ? `/integrations/${encodeURIComponent(integrationId!)}` : "/gallery"))}>
          {index > 0 ? "Back" : "Cancel"}
        </Button>
        {step !== "review" ? (
          <Button appearance="primary" onClick={() => go(STEP_ORDER[index + 1])} disabled={!connector}>
            Next
          </Button>
        ) : (
          <Button appearance="primary" onClick={submit} disabled={save.isPending}>
            {save.isPending ? "Saving…" : editing ? "Save changes" : "Create integration"}
          </Button>
        )}
        {editing && <Caption1>Saving sends If-Match: if someone else changed it meanwhile, you are told and it reloads.</Caption1>}
      </div>
    </section>
  );
}
