import { defineConfig } from "@playwright/test";

// Runs against a hub that serves this app at / and the API at /api (HUB_URL). For local runs before the
// Function App serves web/dist: `HUB_PROXY_TARGET=http://127.0.0.1:7171 npx vite preview` and
// HUB_URL=http://127.0.0.1:4173 (vite forwards /api to the hub).
export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  outputDir: "test-results",
  use: {
    baseURL: process.env.HUB_URL ?? "http://127.0.0.1:4173",
    viewport: { width: 1440, height: 900 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    },
  },
});
