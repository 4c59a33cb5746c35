import { chromium } from "@playwright/test";
const [,, url, out, key, ...actions] = process.argv;
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const p = await b.newPage({ viewport: { width: 1440, height: 900 } });
p.on("console", (m) => m.type() === "error" && console.log("console:", m.text()));
p.on("pageerror", (e) => console.log("pageerror:", e.message));
await p.goto("http://127.0.0.1:4173/");
if (key) {
  await p.getByLabel("API key or admin key").fill(key);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForTimeout(1500);
}
await p.evaluate((u) => { history.pushState(null, "", u); dispatchEvent(new PopStateEvent("popstate")); }, url);
await p.waitForTimeout(2500);
for (const a of actions) { if (a.startsWith("click:")) { await p.getByText(a.slice(6), { exact: false }).first().click(); await p.waitForTimeout(1500); } }
await p.screenshot({ path: out, fullPage: true });
await b.close();
