import type { ReactNode } from "react";
import { render } from "@testing-library/react";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { vi } from "vitest";
import { SessionProvider } from "../SessionContext";
import type { Connector } from "../api/client";

export function renderWithProviders(ui: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={qc}>
        <SessionProvider initial={{ key: "ihk_acme_k1_secret", role: "tenant", tenant: "acme" }}>{ui}</SessionProvider>
      </QueryClientProvider>
    </FluentProvider>,
  );
}

export interface Call {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
  body: unknown;
}
type Reply = { status?: number; body?: unknown; headers?: Record<string, string> };
type Handler = (call: Call) => Reply | Promise<Reply> | undefined;

/** Replaces fetch with a router over "METHOD /path" keys; records every call. Unknown routes answer 404. */
export function mockHub(routes: Record<string, Reply | Handler>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(req.url);
    const text = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
    const call: Call = { method: req.method, path: url.pathname, search: url.searchParams, headers: req.headers, body: text ? JSON.parse(text) : undefined };
    calls.push(call);
    const route = routes[`${req.method} ${url.pathname}`];
    const reply = (typeof route === "function" ? await route(call) : route) ?? { status: 404, body: { title: "Not Found", status: 404 } };
    const status = reply.status ?? 200;
    const isProblem = status >= 400;
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status,
      headers: { "Content-Type": isProblem ? "application/problem+json" : "application/json", ...(reply.headers ?? {}) },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

export const github: Connector = {
  id: "github",
  displayName: "GitHub",
  category: "developer-tools",
  description: "Issues of a GitHub repository.",
  kind: "native",
  capabilities: { pollStreams: true, actions: true, webhooks: false },
  streams: [
    { name: "issues", description: "Issues and pull requests.", cursorNotes: "" },
    { name: "issue_comments", description: "Comments.", cursorNotes: "" },
  ],
  actions: [],
  configurationSchema: {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties: {
      owner: { type: "string", description: "Repository owner (user or organization)." },
      repository: { type: "string", description: "Repository name." },
      pageSize: { type: "integer", description: "Items per page.", default: 100, minimum: 1, maximum: 100 },
    },
    required: ["owner", "repository"],
    additionalProperties: false,
  },
  credentialSchema: {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties: { token: { type: "string", description: "Token sent as Bearer.", writeOnly: true } },
    required: ["token"],
    additionalProperties: false,
  },
} as unknown as Connector;

export const sample: Connector = {
  id: "sample",
  displayName: "Sample",
  category: "demo",
  description: "Synthetic records.",
  kind: "native",
  capabilities: { pollStreams: true, actions: false, webhooks: false },
  streams: [{ name: "events", description: "Synthetic events.", cursorNotes: "" }],
  actions: [],
  configurationSchema: {
    type: "object",
    properties: { count: { type: "integer", default: 1000, description: "Records in the stream." }, pageSize: { type: "integer", default: 500 } },
    additionalProperties: false,
  },
  credentialSchema: { type: "object", additionalProperties: false },
} as unknown as Connector;

export const catalog = { items: [github, sample], workflows: [], categories: ["demo", "developer-tools"], sources: { connectors: "ok", n8n: "not_configured" } };
