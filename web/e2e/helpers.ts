import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const adminKey = process.env.HUB_ADMIN_KEY ?? "local-dev-admin-key-change-me-0123456789";
export const githubDouble = process.env.GITHUB_DOUBLE_URL;

/** A fresh tenant and API key through the API (admin key), for specs that do not test the operator flow. */
export async function provisionTenant(request: APIRequestContext, prefix = "e2e"): Promise<{ tenant: string; key: string }> {
  const tenant = `${prefix}-${Date.now().toString(36)}`;
  const admin = { Authorization: `Bearer ${adminKey}` };
  expect((await request.post("/api/v1/tenants", { headers: admin, data: { id: tenant, displayName: tenant } })).ok()).toBeTruthy();
  const issued = await request.post(`/api/v1/tenants/${tenant}/api-keys`, { headers: admin, data: { name: "e2e" } });
  expect(issued.ok()).toBeTruthy();
  return { tenant, key: (await issued.json()).key as string };
}

export async function signIn(p: Page, key: string) {
  await p.goto("/");
  await p.getByLabel("API key or admin key").fill(key);
  await p.getByRole("button", { name: "Sign in" }).click();
}


/** axe-core (WCAG 2 A/AA) on the current page: serious and critical violations fail the test. */
export async function expectAccessible(p: Page, where: string) {
  // Fluent's focus manager (Tabster) adds aria-hidden focus guards (<i data-tabster-dummy tabindex=0>) that move
  // focus on to real elements; axe reports them as aria-hidden-focus, so they are left out.
  const r = await new AxeBuilder({ page: p }).withTags(["wcag2a", "wcag2aa"]).exclude("[data-tabster-dummy]").analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`).join("\n");
  expect(bad, `${where}:\n${text}`).toEqual([]);
}
