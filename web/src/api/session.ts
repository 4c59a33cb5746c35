import { api, ApiError, setApiKey, unwrap } from "./client";
import type { TenantView } from "./extra";

/** Who is signed in. Keys live in sessionStorage only: closing the tab signs out. */
export interface Session {
  /** The key every call sends now. */
  key: string;
  role: "tenant" | "operator";
  /** The tenant the key acts for (tenant keys are `ihk_{tenant}_{keyId}_{secret}`). */
  tenant?: string;
  /** The operator key, kept while the operator continues as a tenant so they can come back. */
  adminKey?: string;
}

const STORAGE = "integrationhub.session";

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null) {
  if (s) sessionStorage.setItem(STORAGE, JSON.stringify(s));
  else sessionStorage.removeItem(STORAGE);
  setApiKey(s?.key ?? null);
}

export function tenantOfKey(key: string): string | undefined {
  const m = /^ihk_([a-z0-9][a-z0-9-]{1,62})_/.exec(key.trim());
  return m?.[1];
}

/**
 * Finds out what a pasted key is: the operator's key lists tenants; a tenant key is refused there (403)
 * and reads the catalog. A 401 anywhere means the key is not valid.
 */
export async function identify(key: string): Promise<Session> {
  const k = key.trim();
  const headers = { Authorization: `Bearer ${k}`, "X-Sign-In-Probe": "1" };
  const tenants = await api.GET("/api/v1/tenants", { params: { query: { limit: 1 } }, headers }).catch((e) => {
    throw new ApiError(0, { title: "The hub could not be reached.", detail: String(e) });
  });
  if (tenants.response.ok) return { key: k, role: "operator" };
  if (tenants.response.status === 401) throw new ApiError(401, { title: "This key is not valid.", detail: "Check that you pasted the whole key, and that it has not been revoked." });
  if (tenants.response.status !== 403) await unwrap(Promise.resolve(tenants));
  await unwrap(api.GET("/api/v1/integrations/available", { headers }));
  return { key: k, role: "tenant", tenant: tenantOfKey(k) };
}

export type { TenantView };
