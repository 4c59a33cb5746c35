/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Where `npm run dev` / `vite preview` forward /api (the hub). In production the Function App serves
// web/dist itself and the API on the same origin, so the app only ever uses relative URLs.
const hub = process.env.HUB_PROXY_TARGET ?? "http://127.0.0.1:7171";
const proxy = { "/api": { target: hub, changeOrigin: true } };

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { host: "127.0.0.1", port: 5173, proxy },
  preview: { host: "127.0.0.1", port: 4173, proxy },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    pool: "threads",
    maxWorkers: 1,
    testTimeout: 20000,
  },
});
