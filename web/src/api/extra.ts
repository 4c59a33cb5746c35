// Hand-written types for endpoints the backend team is adding with exactly these contracts. They are not in
// today's /api/openapi.json; once they are, regenerate schema.d.ts (`npm run gen:api`) and delete the
// corresponding entries here (the client merges both into one `paths` type).
import type { components } from "./schema";

type Problem = components["schemas"]["HttpValidationProblemDetails"];

/** GET /api/v1/schedules/occurrences?schedule=<six-field NCRONTAB>&count=5 */
export interface ScheduleOccurrences {
  schedule: string;
  /** UTC instants, ISO 8601 with offset. */
  occurrences: string[];
}

/** One record of POST /api/v1/integrations/preview: the source record and what the mapping makes of it. */
export interface PreviewRecord {
  raw: unknown;
  mapped: unknown;
}

/** POST /api/v1/integrations/preview: the first page (at most 10 records); nothing is saved. */
export interface IntegrationPreview {
  records: PreviewRecord[];
}

/** Tenant and API key views: the document declares their responses without a schema today. */
export interface TenantView {
  id: string;
  displayName: string;
  createdAt: string;
  disabled?: boolean;
}
export interface ApiKeyView {
  keyId: string;
  name: string;
  createdAt: string;
}
export interface IssuedApiKey extends ApiKeyView {
  /** Shown only in the response that issued it. */
  key: string;
}

export interface ExtraPaths {
  "/api/v1/schedules/occurrences": {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    get: {
      parameters: {
        query: { schedule: string; count?: number };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        200: { headers: { [name: string]: unknown }; content: { "application/json": ScheduleOccurrences } };
        400: { headers: { [name: string]: unknown }; content: { "application/problem+json": Problem } };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/integrations/preview": {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    get?: never;
    put?: never;
    post: {
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      requestBody: { content: { "application/json": components["schemas"]["IntegrationRequest"] } };
      responses: {
        200: { headers: { [name: string]: unknown }; content: { "application/json": IntegrationPreview } };
        400: { headers: { [name: string]: unknown }; content: { "application/problem+json": Problem } };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
