import { useRef, useState } from "react";
import { Button, Field, Input, makeStyles, tokens, Caption1 } from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, newIdempotencyKey, unwrap, type Connector, type Credential } from "../api/client";
import { mapFieldErrors, messagesFor, toErrorTree } from "../lib/fieldErrors";
import { pruneEmpty } from "../lib/jsonSchema";
import { SchemaForm, type SchemaFormHandle } from "./SchemaForm";
import { ProblemBar } from "./Feedback";

const useStyles = makeStyles({ root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM } });

/** Creates a credential for a connector (values from its credentialSchema; they are never shown again). */
export function CredentialForm({ connector, onCreated, onCancel }: { connector: Connector; onCreated: (c: Credential) => void; onCancel?: () => void }) {
  const styles = useStyles();
  const qc = useQueryClient();
  const [name, setName] = useState(`${connector.displayName} credential`);
  const [values, setValues] = useState<Record<string, unknown>>({});
  const formRef = useRef<SchemaFormHandle>(null);
  const idem = useRef(newIdempotencyKey());
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/credentials", {
          body: { connectorId: connector.id, name: name.trim(), values: pruneEmpty(values) },
          headers: { "Idempotency-Key": idem.current },
        }),
      ),
    onSuccess: (c) => {
      qc.invalidateQueries({ queryKey: ["credentials"] });
      setValues({});
      idem.current = newIdempotencyKey();
      onCreated(c);
    },
  });
  const errs = mapFieldErrors(create.error instanceof ApiError ? create.error.fieldErrors : {});
  const valueErrors = errs.all.filter((e) => e.field === "values").map((e) => ({ ...e, path: e.path }));
  return (
    <div className={styles.root} role="group" aria-label={`New ${connector.displayName} credential`}>
      <Field label="Credential name" required validationMessage={messagesFor(errs, "name")}>
        <Input value={name} onChange={(_, d) => setName(d.value)} name="credential-name" />
      </Field>
      <SchemaForm ref={formRef} idPrefix="cred" schema={connector.credentialSchema} value={values} onChange={setValues} extraErrors={toErrorTree(valueErrors) as never} />
      <Caption1>Values go to the hub's secret store and are never shown again; only a masked hint is kept.</Caption1>
      {create.error && valueErrors.length === 0 ? <ProblemBar error={create.error} /> : null}
      <div style={{ display: "flex", gap: 8 }}>
        <Button appearance="primary" disabled={create.isPending || !name.trim()} onClick={() => formRef.current?.validateForm() !== false && create.mutate()}>
          {create.isPending ? "Saving…" : "Save credential"}
        </Button>
        {onCancel && <Button onClick={onCancel}>Cancel</Button>}
      </div>
    </div>
  );
}

/** "Test connection": the connector's check with the stored values; a refusal shows the external system's reason. */
export function useCredentialCheck() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, configuration }: { id: string; configuration?: unknown }) =>
      unwrap(api.POST("/api/v1/credentials/{id}/check", { params: { path: { id } }, body: { configuration: (configuration ?? {}) as never } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["credentials"] }),
  });
}
