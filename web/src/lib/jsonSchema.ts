import type { RJSFSchema, UiSchema } from "@rjsf/utils";

type Json = Record<string, unknown>;

/** The hub's schemas declare draft 2020-12; rjsf's default Ajv speaks draft-07, which reads these schemas the same. */
export function formSchema(schema: unknown): RJSFSchema {
  if (!schema || typeof schema !== "object") return { type: "object", properties: {} };
  const copy = { ...(schema as Json) };
  delete copy.$schema;
  delete copy.description; // shown by the step itself
  return copy as RJSFSchema;
}

/** Secret (writeOnly) fields are typed into password boxes; descriptions become help text. */
export function uiSchemaFor(schema: unknown): UiSchema {
  const ui: UiSchema = { "ui:submitButtonOptions": { norender: true } };
  const props = (schema as Json | undefined)?.properties as Record<string, Json> | undefined;
  for (const [name, p] of Object.entries(props ?? {})) {
    if (p.writeOnly) ui[name] = { "ui:widget": "password", "ui:autocomplete": "off" };
  }
  return ui;
}

/** A connector takes a credential when its credentialSchema has any property. */
export function needsCredential(schema: unknown): boolean {
  const props = (schema as Json | undefined)?.properties;
  return !!props && typeof props === "object" && Object.keys(props).length > 0;
}

/** Drops empty strings and nulls so optional secret fields left blank are not sent. */
export function pruneEmpty(values: unknown): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries((values as Json) ?? {})) if (v !== "" && v !== null && v !== undefined) out[k] = v;
  return out;
}
