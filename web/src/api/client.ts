import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths as GeneratedPaths } from "./schema";
import type { ExtraPaths } from "./extra";

export type paths = GeneratedPaths & ExtraPaths;
export type Schemas = components["schemas"];
export type Connector = Schemas["ConnectorDescriptor"];
export type Catalog = Schemas["CatalogResponse"];
export type Credential = Schemas["CredentialView"];
export type Integration = Schemas["IntegrationView"];
export type IntegrationRequest = Schemas["IntegrationRequest"];
export type Run = Schemas["RunView"];
export type RunStatus = Schemas["RunStatus"];
export type EventItem = Schemas["EventView"];
export type DeadLetter = Schemas["DeadLetterView"];
export type SparkJob = Schemas["SparkJobView"];

/** An RFC 7807 problem answered by the hub (or a transport failure dressed as one). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, string[]>;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `The hub answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }
  get fieldErrors(): Record<string, string[]> {
    return this.problem.errors ?? {};
  }
}

let currentKey: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** The key every call sends; the session module keeps it in sessionStorage only. */
export function setApiKey(key: string | null) {
  currentKey = key;
}
export function setUnauthorizedHandler(handler: (() => void) | null) {
  onUnauthorized = handler;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (currentKey && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${currentKey}`);
    return request;
  },
  onResponse({ response, request }) {
    // A 401 means the key is unknown or revoked: back to sign-in. (403 is "this key may not do that".)
    if (response.status === 401 && !request.headers.has("X-Sign-In-Probe")) onUnauthorized?.();
    return response;
  },
};

// Relative base URL: the Function App serves this app and the API on the same origin.
const base = typeof window !== "undefined" && window.location ? window.location.origin : "http://localhost";
// fetch is looked up per call so tests (and the e2e double) can replace it.
export const api = createClient<paths>({ baseUrl: base, fetch: (request: Request) => globalThis.fetch(request) });
api.use(auth);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Returns the data of a successful call, or throws an ApiError with the hub's problem. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (e) {
    throw new ApiError(0, { title: "The hub could not be reached.", detail: e instanceof Error ? e.message : String(e) });
  }
  const { data, error, response } = result;
  if (!response.ok) throw new ApiError(response.status, toProblem(error, response));
  return data as T;
}

/** Like unwrap, and also returns the ETag for a later If-Match. */
export async function unwrapWithEtag<T>(call: Promise<FetchResult<T>>): Promise<{ data: T; etag: string | null }> {
  let response: Response | undefined;
  const data = await unwrap(
    call.then((r) => {
      response = r.response;
      return r;
    }),
  );
  return { data, etag: response?.headers.get("ETag") ?? null };
}

function toProblem(error: unknown, response: Response): Problem {
  if (error && typeof error === "object") return error as Problem;
  const text = typeof error === "string" && error ? error : undefined;
  const fallback: Record<number, string> = {
    401: "The key was not accepted.",
    403: "This key may not do that.",
    404: "Not found.",
    409: "Conflict.",
    412: "Someone else changed this since you loaded it.",
  };
  return { status: response.status, title: fallback[response.status] ?? `The hub answered ${response.status}.`, detail: text };
}

export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `ik-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export const terminalRunStatuses: RunStatus[] = ["succeeded", "failed", "cancelled"];
export const isTerminal = (s: RunStatus | string | undefined) => !!s && (terminalRunStatuses as string[]).includes(s);
