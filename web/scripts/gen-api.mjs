// Regenerates src/api/schema.d.ts from the hub's OpenAPI document.
// Usage: npm run gen:api [-- <url or file>]   (default: $HUB_URL/api/openapi.json, HUB_URL defaulting to http://127.0.0.1:7171)
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const hub = (process.env.HUB_URL ?? "http://127.0.0.1:7171").replace(/\/$/, "");
const source = process.argv[2] ?? `${hub}/api/openapi.json`;
const out = path.join(root, "src/api/schema.d.ts");
const bin = path.join(root, "node_modules/.bin/openapi-typescript");
console.log(`openapi-typescript ${source} -> ${path.relative(root, out)}`);
const r = spawnSync(bin, [source, "-o", out], { stdio: "inherit", cwd: root });
process.exit(r.status ?? 1);
