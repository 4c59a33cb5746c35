import { test, expect } from "@playwright/test";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { githubDouble, provisionTenant, signIn } from "./helpers";

// Needs the two endpoints the backend is adding: GET /api/v1/schedules/occurrences and
// POST /api/v1/integrations/preview. Fails on a hub without them.
// Pictures go to test-results/screenshots; HUB_SCREENSHOTS_DIR (an absolute path) puts them elsewhere: `HUB_SCREENSHOTS_DIR=docs/screenshots ./scripts/test.sh` refreshes the README's.
const shots = path.resolve(process.env.HUB_SCREENSHOTS_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../test-results/screenshots"));

test("wizard: next five occurrences of the schedule and a live mapping preview", async ({ page, request }) => {
  const { key } = await provisionTenant(request, "e2e-preview");
  if (githubDouble) {
    const cred = await request.post("/api/v1/credentials", {
      headers: { Authorization: `Bearer ${key}` },
      data: { connectorId: "github", name: "E2E GitHub bot", values: { token: "ghp_e2e_secret_value_1234" } },
    });
    expect(cred.ok()).toBeTruthy();
  }
  await signIn(page, key);
  await expect(page.getByRole("heading", { name: "Integrations", exact: true })).toBeVisible();
  await page.goto(`/integrations/new?connector=${githubDouble ? "github" : "sample"}`);
  if (githubDouble) await page.getByRole("radio", { name: /E2E GitHub bot/ }).check();
  await page.getByRole("button", { name: "Next" }).click();
  if (githubDouble) {
    await page.getByLabel("owner").fill("octo");
    await page.getByLabel("repository").fill("hub");
    await page.getByLabel("apiBaseUrl").fill(githubDouble);
  } else {
    await page.getByLabel("count").fill("50");
    await page.getByLabel("pageSize").fill("5");
  }
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Schedule", { exact: true }).selectOption({ label: "Every 15 minutes" });
  await expect(page.getByTestId("occurrences").locator("li")).toHaveCount(5);
  await page.getByLabel("Mapping (JSON)").fill(githubDouble ? '{"number": "$.number", "title": "$.title"}' : '{"n": "$.sequence", "label": "$.name"}');
  await expect(page.getByTestId("preview-records")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("preview-records")).toContainText(githubDouble ? '"title"' : '"label"');
  // The mapped column shows only the mapped fields once the preview has caught up with the mapping typed in.
  await expect(page.getByLabel("Record 1 mapped")).not.toContainText(githubDouble ? '"state"' : '"category"', { timeout: 30_000 });
  await page.screenshot({ path: path.join(shots, "wizard.png"), fullPage: true });

  // A bad schedule: the occurrences endpoint's 400 is shown at the schedule field.
  await page.getByLabel("NCRONTAB (six fields, UTC)").fill("0 0 99 * * *");
  await expect(page.getByRole("alert").filter({ hasText: /./ }).first()).toBeVisible();
});
