import { test, expect, type Page, type Browser } from "@playwright/test";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { adminKey, expectAccessible, githubDouble, signIn } from "./helpers";

// One walk through the dashboard against a running hub, in order: each test builds on the one before.
// Env: HUB_URL (the app + API), HUB_ADMIN_KEY (operator key), GITHUB_DOUBLE_URL (optional: a GitHub API
// double the hub may reach; without it the wizard uses the Sample connector, which needs no account).

// Pictures go to test-results/screenshots; HUB_SCREENSHOTS_DIR (an absolute path) puts them elsewhere: `HUB_SCREENSHOTS_DIR=docs/screenshots ./scripts/test.sh` refreshes the README's.
const shots = path.resolve(process.env.HUB_SCREENSHOTS_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../test-results/screenshots"));
const stamp = Date.now().toString(36);
const tenant = `e2e-${stamp}`;
const integrationName = `E2E sample events ${stamp}`;

test.describe.configure({ mode: "serial" });

let page: Page;
let tenantKey = "";
let integrationUrl = "";


test.beforeAll(async ({ browser }: { browser: Browser }) => {
  page = await (await browser.newContext()).newPage();
});
test.afterAll(async () => {
  await page?.context().close();
});

test("sign in: a wrong key is refused; the operator creates a tenant, issues a key and continues as the tenant", async () => {
  await signIn(page, "not-a-key-at-all-0000000000000000");
  await expect(page.getByText("This key is not valid.")).toBeVisible();
  await expectAccessible(page, "sign-in");

  // Keyboard only: the key field submits with Enter.
  await page.getByLabel("API key or admin key").fill(adminKey);
  await page.getByLabel("API key or admin key").press("Enter");
  await expect(page.getByRole("heading", { name: "Operator", exact: true })).toBeVisible();
  await expect(page.getByText("The admin key manages tenants and their keys only.")).toBeVisible();

  await page.getByLabel("Tenant id").fill(tenant);
  await page.getByLabel("Display name").fill(`E2E ${stamp}`);
  await page.getByRole("button", { name: "Create tenant" }).click();
  await expect(page.getByRole("heading", { name: `API keys of ${tenant}` })).toBeVisible();
  await page.getByRole("button", { name: "Issue API key" }).click();
  const issued = page.getByTestId("issued-key");
  await expect(issued).toContainText(`ihk_${tenant}_`);
  tenantKey = (await issued.innerText()).trim();
  await page.getByRole("button", { name: `Continue as ${tenant}` }).click();
  await expect(page.getByRole("heading", { name: "Integrations", exact: true })).toBeVisible();
  await expect(page.getByText("No integrations yet")).toBeVisible();
  // The key lives in sessionStorage only.
  expect(await page.evaluate(() => Object.keys(localStorage).length)).toBe(0);
  expect(await page.evaluate(() => sessionStorage.getItem("integrationhub.session"))).toContain(tenantKey);
});

test("gallery: every connector with logo, category and credential need; filter and search", async () => {
  await page.getByRole("tab", { name: "Gallery" }).click();
  await expect(page.getByRole("heading", { name: "Connector gallery", exact: true })).toBeVisible();
  for (const id of ["github", "jira", "slack", "zulip", "rest", "sample"]) await expect(page.getByTestId(`connector-${id}`)).toBeVisible();
  await expect(page.getByTestId("connector-sample")).toContainText("No credential needed");
  await expect(page.getByTestId("connector-github")).toContainText("Needs a credential");
  await expect(page.getByRole("heading", { name: "n8n workflows", exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Spark jobs", exact: true })).toBeVisible();
  await page.screenshot({ path: path.join(shots, "gallery.png"), fullPage: true });
  await expectAccessible(page, "gallery");
  await page.getByLabel("Category").selectOption("chat");
  await expect(page.getByTestId("connector-slack")).toBeVisible();
  await expect(page.getByTestId("connector-github")).toHaveCount(0);
  await page.getByLabel("Category").selectOption("");
  await page.getByRole("searchbox", { name: "Search connectors" }).fill("jira");
  await expect(page.getByTestId("connector-jira")).toBeVisible();
  await expect(page.getByTestId("connector-sample")).toHaveCount(0);
  await page.getByRole("searchbox", { name: "Search connectors" }).fill("");
});

test("credentials: create a GitHub credential (value masked) and test it", async () => {
  await page.getByRole("tab", { name: "Credentials" }).click();
  await expect(page.getByText("No credentials yet")).toBeVisible();
  await page.getByLabel("New credential").selectOption("github");
  await page.getByLabel("Credential name").fill("E2E GitHub bot");
  await page.getByLabel("token").fill("ghp_e2e_secret_value_1234");
  await page.getByRole("button", { name: "Save credential" }).click();
  const row = page.getByRole("row", { name: /E2E GitHub bot/ });
  await expect(row).toBeVisible();
  await expect(row).toContainText("ghp…1234");
  await expect(page.getByText("ghp_e2e_secret_value_1234")).toHaveCount(0);
  await row.getByRole("button", { name: "Check E2E GitHub bot" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("owner").fill("octo");
  await dialog.getByLabel("repository").fill("hub");
  // Without a GitHub double, a closed local port: the check fails and shows the system's reason.
  await dialog.getByLabel("apiBaseUrl").fill(githubDouble ?? "http://127.0.0.1:9");
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.getByRole("status").filter({ hasText: githubDouble ? "Connection works" : "Connection refused" })).toBeVisible({ timeout: 45_000 });
  if (!githubDouble) await expect(dialog.getByRole("status")).toContainText(/GitHub/);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(row).toContainText(githubDouble ? "OK" : "Failed");

  // Rotate: new values replace the old ones (If-Match from a fresh GET); only the mask changes on screen.
  await row.getByRole("button", { name: "Rotate E2E GitHub bot" }).click();
  await page.getByRole("dialog").getByLabel("token").fill("ghp_rotated_value_5678");
  await page.getByRole("dialog").getByRole("button", { name: "Save new values" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(row).toContainText("ghp…5678");
});

test("credentials: a refused delete (409) names the integration that uses it", async () => {
  const auth = { Authorization: `Bearer ${tenantKey}` };
  const creds = await page.request.get("/api/v1/credentials", { headers: auth });
  const credId = ((await creds.json()).items as { id: string; name: string }[]).find((c) => c.name === "E2E GitHub bot")!.id;
  const made = await page.request.post("/api/v1/integrations", {
    headers: auth,
    data: { name: `Uses the bot ${stamp}`, connectorId: "github", credentialId: credId, configuration: { owner: "octo", repository: "hub" } },
  });
  expect(made.ok()).toBeTruthy();
  const user = await made.json();
  await page.reload();
  await page.getByRole("button", { name: "Delete E2E GitHub bot" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("dialog").getByRole("alert")).toContainText(`Uses the bot ${stamp}`);
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  expect((await page.request.delete(`/api/v1/integrations/${user.id}`, { headers: auth })).ok()).toBeTruthy();
});

test("wizard: walk to a scheduled integration with a mapping; a refused definition lands on the right step", async () => {
  await page.getByRole("tab", { name: "Gallery" }).click();
  await page.getByRole("button", { name: "Set up Sample" }).click();
  await expect(page.getByRole("heading", { name: "New Sample integration", exact: true })).toBeVisible();
  await expect(page.getByText("needs no credential")).toBeVisible();
  await page.getByRole("button", { name: "Next" }).click();
  // Configuration: defaults filled in from the connector's schema.
  await expect(page.getByRole("heading", { name: "3. Configuration", exact: true })).toBeVisible();
  await expect(page.getByLabel("pageSize")).toHaveValue("500");
  await page.getByLabel("count").fill("400");
  await page.getByLabel("pageSize").fill("20");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("heading", { name: "4. Stream, schedule & mapping", exact: true })).toBeVisible();
  await page.getByLabel("Schedule", { exact: true }).selectOption({ label: "Every 15 minutes" });
  await expect(page.getByLabel("NCRONTAB (six fields, UTC)")).toHaveValue("0 */15 * * * *");
  // A mapping the hub refuses: the error comes back to this step, at the mapping field.
  await page.getByLabel("Mapping (JSON)").fill('{"n": 5}');
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(integrationName);
  await page.getByRole("button", { name: "Create integration" }).click();
  await expect(page.getByRole("heading", { name: "4. Stream, schedule & mapping", exact: true })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "n: must be a path string" }).first()).toBeVisible();
  await page.getByLabel("Mapping (JSON)").fill('{"n": "$.sequence", "label": {"template": "#{{$.sequence}} {{$.name}}"}}');
  // Let the occurrences and preview calls settle (on today's hub: "cannot ... yet") before the picture and axe.
  await expect(page.getByText(/cannot list upcoming runs yet|Next five runs/)).toBeVisible();
  await expect(page.getByText(/cannot preview yet|Source record/)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Refresh preview" })).toBeEnabled();
  await page.screenshot({ path: path.join(shots, "wizard.png"), fullPage: true });
  await expectAccessible(page, "wizard, stream step");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(integrationName);
  await page.getByRole("button", { name: "Create integration" }).dblclick();
  await expect(page.getByRole("heading", { name: integrationName, exact: true })).toBeVisible();
  integrationUrl = new URL(page.url()).pathname;
  await page.goto("/");
  await expect(page.getByRole("row", { name: new RegExp(integrationName) })).toHaveCount(1);
});

test("list, run now, progress to succeeded, events", async () => {
  await page.goto("/");
  const row = page.getByRole("row", { name: new RegExp(integrationName) });
  await expect(row).toContainText("never run");
  await page.screenshot({ path: path.join(shots, "list.png"), fullPage: true });
  await expectAccessible(page, "integrations list");
  await row.getByRole("button", { name: `Run ${integrationName} now` }).click();
  await expect(page.getByRole("heading", { name: integrationName, exact: true })).toBeVisible();
  await expect(page.getByTestId("run-status")).toContainText("succeeded", { timeout: 60_000 });
  expect(Number((await page.getByTestId("progress-published").innerText()).replace(/\D/g, ""))).toBeGreaterThan(0);
  expect(Number((await page.getByTestId("progress-pages").innerText()).replace(/\D/g, ""))).toBeGreaterThan(0);
  await page.getByRole("button", { name: "Refresh" }).click();
  const events = page.getByRole("table", { name: "Events" }).getByRole("row");
  await expect(events.nth(1)).toBeVisible();
  if (!githubDouble) {
    await expect(page.getByRole("table", { name: "Events" })).toContainText("com.integrationhub.sample.events.upserted");
    await expect(page.getByRole("button", { name: "Load more events" })).toBeVisible();
    const before = await events.count();
    await page.getByRole("button", { name: "Load more events" }).click();
    await expect.poll(() => events.count()).toBeGreaterThan(before);
  }
  await page.screenshot({ path: path.join(shots, "detail.png"), fullPage: true });
  await expectAccessible(page, "integration detail");
});

test("edit from a stale tab: 412 says someone else changed it and reloads", async ({ browser }) => {
  await page.goto(`${integrationUrl}/edit`);
  await expect(page.getByRole("heading", { name: `Edit ${integrationName}` })).toBeVisible();

  const other = await (await browser.newContext()).newPage();
  await signIn(other, tenantKey);
  await expect(other.getByRole("heading", { name: "Integrations", exact: true })).toBeVisible();
  await other.goto(`${integrationUrl}/edit`);
  await other.getByRole("button", { name: "5. Review" }).click();
  await other.getByRole("textbox", { name: "Name", exact: true }).fill(`${integrationName} (renamed elsewhere)`);
  await other.getByRole("button", { name: "Save changes" }).click();
  await expect(other.getByRole("heading", { name: `${integrationName} (renamed elsewhere)` })).toBeVisible();
  await other.context().close();

  await page.getByRole("button", { name: "5. Review" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(`${integrationName} (stale edit)`);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("stale-notice")).toContainText("Someone else changed this integration");
  await expect(page.getByRole("textbox", { name: "Name", exact: true })).toHaveValue(`${integrationName} (renamed elsewhere)`);
});

test("disable, then delete it", async () => {
  await page.goto(integrationUrl);
  await page.getByRole("button", { name: "Disable", exact: true }).click();
  await expect(page.getByRole("button", { name: "Enable", exact: true })).toBeVisible();
  await expect(page.getByText("disabled", { exact: true }).first()).toBeVisible();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("heading", { name: "Integrations", exact: true })).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(integrationName) })).toHaveCount(0);
});

test("cancel a long run from the detail page", async () => {
  const auth = { Authorization: `Bearer ${tenantKey}` };
  const made = await page.request.post("/api/v1/integrations", {
    headers: auth,
    data: { name: `Long run ${stamp}`, connectorId: "sample", configuration: { count: 100000000, pageSize: 200 } },
  });
  expect(made.ok()).toBeTruthy();
  const { id } = await made.json();
  await page.goto(`/integrations/${id}`);
  await expect(page.getByText("No runs yet")).toBeVisible();
  await page.getByRole("button", { name: "Run now" }).first().click();
  await expect(page.getByTestId("run-status")).toContainText(/running|pending/);
  await expect.poll(async () => Number((await page.getByTestId("progress-read").innerText()).replace(/\D/g, "")), { timeout: 30_000 }).toBeGreaterThan(0);
  await page.getByRole("button", { name: "Cancel run" }).click();
  await expect(page.getByTestId("run-status")).toContainText("cancelled", { timeout: 60_000 });
  expect((await page.request.delete(`/api/v1/integrations/${id}`, { headers: auth })).ok()).toBeTruthy();
});

test("a revoked key returns to sign-in (401)", async ({ browser }) => {
  // Revoke through the API directly, then any call from the dashboard answers 401.
  const ctx = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const list = await ctx.request.get(`/api/v1/tenants/${tenant}/api-keys`, { headers: { Authorization: `Bearer ${adminKey}` } });
  for (const k of (await list.json()).items as { keyId: string }[])
    await ctx.request.delete(`/api/v1/tenants/${tenant}/api-keys/${k.keyId}`, { headers: { Authorization: `Bearer ${adminKey}` } });
  await ctx.close();
  // The hub trusts a verified key for Auth__KeyCache (00:00:30 by default).
  await expect(async () => {
    await page.goto("/credentials");
    await expect(page.getByRole("heading", { name: "Sign in to IntegrationHub", exact: true })).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout: 60_000, intervals: [5000] });
  await expect(page.getByText("did not accept your key")).toBeVisible();
});
