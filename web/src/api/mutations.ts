import { api, ApiError, unwrap, unwrapWithEtag, type Integration, type IntegrationRequest, type Problem } from "./client";

/** The request body that re-saves an integration as it is (PUT replaces the whole definition). */
export function toRequest(v: Integration, patch: Partial<IntegrationRequest> = {}): IntegrationRequest {
  return {
    name: v.name,
    connectorId: v.connectorId,
    configuration: v.configuration ?? {},
    credentialId: v.credentialId ?? null,
    stream: v.stream,
    schedule: v.schedule ?? null,
    enabled: v.enabled,
    topic: v.topic ?? null,
    mapping: v.mapping ?? null,
    ...patch,
  } as IntegrationRequest;
}

export function isStale(e: unknown): boolean {
  return e instanceof ApiError && e.status === 412;
}

export const STALE_MESSAGE = "Someone else changed this integration since you loaded it. It has been reloaded: review it and try again.";

/** PUT with If-Match; throws ApiError (412 when another tab or user saved first). */
export function replaceIntegration(id: string, body: IntegrationRequest, etag: string | null) {
  return unwrapWithEtag(api.PUT("/api/v1/integrations/{id}", { params: { path: { id } }, body, headers: etag ? { "If-Match": etag } : {} }));
}

export function deleteIntegration(id: string, etag: string | null) {
  return unwrap(api.DELETE("/api/v1/integrations/{id}", { params: { path: { id } }, headers: etag ? { "If-Match": etag } : {} }));
}

/** Reads the integration now, to act on it with its current ETag (list actions have no per-row ETag). */
export function getIntegration(id: string) {
  return unwrapWithEtag(api.GET("/api/v1/integrations/{id}", { params: { path: { id } } }));
}

export async function startRun(id: string): Promise<{ runId: string | null }> {
  const r = await api.POST("/api/v1/integrations/{id}/run", { params: { path: { id } } });
  if (!r.response.ok) throw new ApiError(r.response.status, ((r.error as unknown) as Problem | undefined) ?? { title: `The hub answered ${r.response.status}.` });
  const loc = r.response.headers.get("Location");
  const fromBody = (r.data as { id?: string } | undefined)?.id ?? null;
  return { runId: fromBody ?? (loc ? loc.split("/").pop() ?? null : null) };
}
