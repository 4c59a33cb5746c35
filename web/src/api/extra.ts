// Names the pages use for a few response shapes. Every path and its types come from the generated schema.d.ts
// (`npm run gen:api`); these aliases only give the shapes short names.
import type { components } from "./schema";

type Schemas = components["schemas"];

/** GET /api/v1/schedules/occurrences?schedule=<six-field NCRONTAB>&count=5: UTC instants, ISO 8601 with offset. */
export type ScheduleOccurrences = Schemas["ScheduleOccurrences"];

/** POST /api/v1/integrations/preview: the first page (at most 10 records), each raw and mapped; nothing is saved. */
export type IntegrationPreview = Schemas["PreviewResponse"];

/** One record of a preview: the source record and what the mapping makes of it. */
export type PreviewRecord = IntegrationPreview["records"][number];

/** A tenant as the operator sees it. */
export type TenantView = Schemas["TenantView"];

/** An API key as listed (never the key). */
export type ApiKeyView = Schemas["PageResponseOfApiKeyView"]["items"][number];

/** An API key as issued: the only response that shows `key`. */
export type IssuedApiKey = Schemas["CreatedApiKey"];

