import { getDefaultFormState } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import type { Connector, Integration, IntegrationRequest } from "../../api/client";
import { formSchema, needsCredential } from "../../lib/jsonSchema";

/** What the wizard edits; turned into the create/replace body by toBody. */
export interface Draft {
  connectorId?: string;
  credentialId?: string | null;
  configuration: Record<string, unknown>;
  stream?: string;
  schedule: string;
  topic: string;
  mappingText: string;
  name: string;
  enabled: boolean;
}

export const emptyDraft: Draft = { configuration: {}, schedule: "", topic: "", mappingText: "", name: "", enabled: true };

/** The configuration form's defaults filled in (what the connector would assume anyway). */
export function defaultConfiguration(connector: Connector, current: Record<string, unknown> = {}): Record<string, unknown> {
  try {
    return (getDefaultFormState(validator, formSchema(connector.configurationSchema), current) ?? {}) as Record<string, unknown>;
  } catch {
    return current;
  }
}

export function draftForConnector(connector: Connector, base: Draft = emptyDraft): Draft {
  return {
    ...base,
    connectorId: connector.id,
    credentialId: null,
    configuration: defaultConfiguration(connector),
    stream: connector.streams?.[0]?.name,
    name: base.name || `${connector.displayName} ${connector.streams?.[0]?.name ?? ""}`.trim(),
  };
}

export function draftFromIntegration(i: Integration): Draft {
  return {
    connectorId: i.connectorId,
    credentialId: i.credentialId ?? null,
    configuration: (i.configuration as Record<string, unknown>) ?? {},
    stream: i.stream,
    schedule: i.schedule ?? "",
    topic: i.topic ?? "",
    mappingText: i.mapping ? JSON.stringify(i.mapping, null, 2) : "",
    name: i.name,
    enabled: i.enabled,
  };
}

/** Parses the mapping editor: empty means no mapping. */
export function parseMapping(text: string): { value: unknown; error?: string } {
  if (!text.trim()) return { value: null };
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== "object" || Array.isArray(v)) return { value: null, error: "The mapping is a JSON object: output field → path, {\"const\": …}, {\"path\": …} or {\"template\": …}." };
    return { value: v };
  } catch (e) {
    return { value: null, error: `Not valid JSON: ${(e as Error).message}` };
  }
}

export function toBody(d: Draft, connector?: Connector): IntegrationRequest {
  const m = parseMapping(d.mappingText);
  const takesCredential = connector ? needsCredential(connector.credentialSchema) : !!d.credentialId;
  return {
    name: d.name.trim(),
    connectorId: d.connectorId ?? "",
    configuration: d.configuration,
    credentialId: takesCredential ? (d.credentialId ?? null) : null,
    stream: d.stream ?? null,
    schedule: d.schedule.trim() || null,
    enabled: d.enabled,
    topic: d.topic.trim() || null,
    mapping: m.error ? null : m.value,
  } as IntegrationRequest;
}
