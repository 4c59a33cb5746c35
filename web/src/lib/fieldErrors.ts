// Maps the hub's RFC 7807 `errors` (keys are JSON paths such as `configuration.owner`, `schedule`,
// `mapping.a`) to the wizard step and the field inside it where the message belongs.

export type StepId = "connector" | "credential" | "configuration" | "stream" | "review";
export const STEP_ORDER: StepId[] = ["connector", "credential", "configuration", "stream", "review"];

export interface FieldError {
  /** The key as the hub sent it. */
  key: string;
  step: StepId;
  /** The wizard field: `connectorId`, `credentialId`, `configuration`, `stream`, `schedule`, `topic`, `mapping`, `name`, `enabled`, or `` for the whole step. */
  field: string;
  /** The path inside that field (`owner`, `narrow[0].operator`, `a.b`), `` for the field itself. */
  path: string;
  messages: string[];
}

const FIELD_STEP: Record<string, StepId> = {
  connectorid: "connector",
  connector: "connector",
  credentialid: "credential",
  credential: "credential",
  configuration: "configuration",
  stream: "stream",
  schedule: "stream",
  topic: "stream",
  mapping: "stream",
  name: "review",
  enabled: "review",
};

const CANONICAL: Record<string, string> = {
  connectorid: "connectorId",
  connector: "connectorId",
  credentialid: "credentialId",
  credential: "credentialId",
};

/** Splits `$.configuration.owner`, `configuration/owner`, `Configuration.Owner` or `mapping['a']` into field and inner path. */
export function splitErrorKey(key: string): { field: string; path: string } {
  let k = key.trim();
  if (k.startsWith("$")) k = k.slice(1);
  k = k.replace(/^[./]+/, "").replace(/\//g, ".").replace(/\[['"]([^'"\]]+)['"]\]/g, ".$1");
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec(k);
  if (!m) return { field: "", path: k };
  const head = m[1];
  const lower = head.toLowerCase();
  const field = CANONICAL[lower] ?? (lower in FIELD_STEP ? lower : head);
  const path = m[2].replace(/^\./, "");
  return { field, path };
}

/** Where one error key belongs. Unknown keys go to the review step, whole-step. */
export function locateError(key: string): { step: StepId; field: string; path: string } {
  const { field, path } = splitErrorKey(key);
  const step = FIELD_STEP[field.toLowerCase()];
  if (!step) return { step: "review", field: "", path: key };
  return { step, field, path };
}

export interface MappedErrors {
  all: FieldError[];
  byStep: Record<StepId, FieldError[]>;
  /** The earliest step holding an error, where the wizard goes after a refused create. */
  firstStep: StepId | null;
}

export function mapFieldErrors(errors: Record<string, string[] | string> | null | undefined): MappedErrors {
  const byStep: Record<StepId, FieldError[]> = { connector: [], credential: [], configuration: [], stream: [], review: [] };
  const all: FieldError[] = [];
  for (const [key, value] of Object.entries(errors ?? {})) {
    const messages = Array.isArray(value) ? value : [String(value)];
    const where = locateError(key);
    const e: FieldError = { key, ...where, messages };
    all.push(e);
    byStep[where.step].push(e);
  }
  const firstStep = STEP_ORDER.find((s) => byStep[s].length > 0) ?? null;
  return { all, byStep, firstStep };
}

/** Messages for one field of one step, joined for a Fluent Field's validationMessage; inner paths are named. */
export function messagesFor(mapped: MappedErrors, field: string): string | undefined {
  const hits = mapped.all.filter((e) => e.field === field);
  if (hits.length === 0) return undefined;
  return hits.map((e) => (e.path ? `${e.path}: ${e.messages.join(" ")}` : e.messages.join(" "))).join(" ");
}

/** An rjsf ErrorSchema (`{owner: {__errors: [...]}}`) from the errors of a schema-driven field. */
export interface ErrorTree {
  __errors?: string[];
  [key: string]: ErrorTree | string[] | undefined;
}
export function toErrorTree(errors: FieldError[]): ErrorTree {
  const root: ErrorTree = {};
  for (const e of errors) {
    const parts = e.path ? e.path.replace(/\[(\d+)\]/g, ".$1").split(".").filter(Boolean) : [];
    let node = root;
    for (const p of parts) node = (node[p] as ErrorTree | undefined) ?? (node[p] = {} as ErrorTree);
    node.__errors = [...(node.__errors ?? []), ...e.messages];
  }
  return root;
}

/** The errors left once the named wizard fields have changed (configuration errors clear as a whole). */
export function clearFieldErrors(errors: Record<string, string[]>, fields: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let changed = false;
  for (const [k, v] of Object.entries(errors)) {
    if (fields.includes(splitErrorKey(k).field)) changed = true;
    else out[k] = v;
  }
  return changed ? out : errors;
}
