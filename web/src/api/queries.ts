import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, ApiError, isTerminal, unwrap, unwrapWithEtag, type Catalog, type IntegrationRequest } from "./client";
import type { ApiKeyView, IntegrationPreview, ScheduleOccurrences, TenantView } from "./extra";

export const keys = {
  catalog: ["catalog"] as const,
  sparkJobs: ["spark-jobs"] as const,
  credentials: (connectorId?: string) => ["credentials", connectorId ?? "all"] as const,
  integrations: ["integrations"] as const,
  integration: (id: string) => ["integration", id] as const,
  runs: (integrationId: string) => ["runs", integrationId] as const,
  run: (id: string) => ["run", id] as const,
  events: (integrationId: string) => ["events", integrationId] as const,
  deadLetters: ["dead-letters"] as const,
  tenants: ["tenants"] as const,
  apiKeys: (tenant: string) => ["api-keys", tenant] as const,
  occurrences: (schedule: string, count: number) => ["occurrences", schedule, count] as const,
};

export function useCatalog() {
  return useQuery({
    queryKey: keys.catalog,
    queryFn: () => unwrap(api.GET("/api/v1/integrations/available")) as Promise<Catalog>,
    staleTime: 5 * 60_000,
  });
}

export function useSparkJobs(enabled = true) {
  return useQuery({
    queryKey: keys.sparkJobs,
    queryFn: () => unwrap(api.GET("/api/v1/spark-jobs", { params: { query: { limit: 200 } } })),
    enabled,
  });
}

export function useCredentials(connectorId?: string) {
  return useQuery({
    queryKey: keys.credentials(connectorId),
    queryFn: () => unwrap(api.GET("/api/v1/credentials", { params: { query: { connectorId, limit: 200 } as never } })),
  });
}

export function useIntegrations() {
  return useQuery({
    queryKey: keys.integrations,
    queryFn: () => unwrap(api.GET("/api/v1/integrations", { params: { query: { limit: 200 } } })),
    refetchInterval: 15_000,
  });
}

/** One integration with the ETag its edit and delete must send back. */
export function useIntegration(id: string | undefined) {
  return useQuery({
    queryKey: keys.integration(id ?? ""),
    queryFn: () => unwrapWithEtag(api.GET("/api/v1/integrations/{id}", { params: { path: { id: id! } } })),
    enabled: !!id,
  });
}

export function useRuns(integrationId: string) {
  return useQuery({
    queryKey: keys.runs(integrationId),
    queryFn: () => unwrap(api.GET("/api/v1/integrations/{id}/runs", { params: { path: { id: integrationId }, query: { limit: 20 } as never } })),
    // Poll while a run is in flight so the list reflects it finishing.
    refetchInterval: (q) => (q.state.data?.items?.some((r) => !isTerminal(r.status)) ? 2000 : 10_000),
  });
}

export function useRun(id: string | undefined) {
  return useQuery({
    queryKey: keys.run(id ?? ""),
    queryFn: () => unwrap(api.GET("/api/v1/runs/{id}", { params: { path: { id: id! } } })),
    enabled: !!id,
    refetchInterval: (q) => (q.state.data && isTerminal(q.state.data.status) ? false : 1500),
  });
}

export function useEvents(integrationId: string) {
  return useInfiniteQuery({
    queryKey: keys.events(integrationId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/events", { params: { query: { integrationId, limit: 20, continuationToken: pageParam } } })),
    getNextPageParam: (last) => last.continuationToken ?? undefined,
  });
}

export function useDeadLetters() {
  return useInfiniteQuery({
    queryKey: keys.deadLetters,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/v1/events/dead-letters", { params: { query: { limit: 50, continuationToken: pageParam } as never } })),
    getNextPageParam: (last) => last.continuationToken ?? undefined,
  });
}

export function useTenants(enabled = true) {
  return useQuery({
    queryKey: keys.tenants,
    queryFn: async () => (await unwrap(api.GET("/api/v1/tenants", { params: { query: { limit: 200 } } }))) as unknown as { items: TenantView[] },
    enabled,
  });
}

export function useApiKeys(tenant: string | undefined) {
  return useQuery({
    queryKey: keys.apiKeys(tenant ?? ""),
    queryFn: async () =>
      (await unwrap(api.GET("/api/v1/tenants/{tenantId}/api-keys", { params: { path: { tenantId: tenant! } } }))) as unknown as { items: ApiKeyView[] },
    enabled: !!tenant,
  });
}

/** The next occurrences of a schedule (the backend's new endpoint; 404 until it ships). */
export function useOccurrences(schedule: string, count = 5) {
  const s = schedule.trim();
  return useQuery<ScheduleOccurrences, ApiError>({
    queryKey: keys.occurrences(s, count),
    queryFn: () => unwrap(api.GET("/api/v1/schedules/occurrences", { params: { query: { schedule: s, count } } })),
    enabled: s.length > 0,
    retry: false,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}

export function previewIntegration(body: IntegrationRequest, signal?: AbortSignal): Promise<IntegrationPreview> {
  return unwrap(api.POST("/api/v1/integrations/preview", { body, signal }));
}

/** True when the hub does not have an endpoint yet (the two new ones answer 404/405 on today's hub). */
export function isMissingEndpoint(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 404 || e.status === 405);
}
