#!/usr/bin/env node
// Local Cosmos DB for IntegrationHub: @vercel/cosmosdb-server over plain HTTP, plus the two things the
// .NET SDK needs that the package lacks (see ../../../shared/STACK.md):
//  1. Query plans. On Linux the SDK asks the gateway for a query plan before ORDER BY, TOP, aggregates,
//     cross-partition queries and LINQ. We answer with a passthrough plan (one range "".."FF", nothing
//     for the client to re-order or aggregate): the server has a single partition range and evaluates
//     ORDER BY / TOP / COUNT itself.
//  2. Resource ids. The package writes _rid in plain base64, which can hold '/'; the SDK then addresses
//     partition key ranges by rid (/dbs/{rid}/colls/{rid}/pkranges) and a '/' splits the path, so a query
//     fails with "GetTargetPartitionKeyRanges ... stale cache" for some databases. The real service uses
//     '-' for '/' in rids; so do we.
//  3. Missing documents. Reading, replacing, patching or deleting an id that does not exist throws a
//     TypeError inside the package (500); the real service answers 404 NotFound, and so do we.
// Usage: node server.js [--port 8081] [--host 127.0.0.1] [--pid-file path] [--parent-pid pid]
"use strict";
const fs = require("fs");
const { createHttpServer } = require("@vercel/cosmosdb-server");
const ResourceId = require("@vercel/cosmosdb-server/lib/account/resource-id").default;

ResourceId.toBase64String = (buffer) => buffer.toString("base64").replace(/\//g, "-");
ResourceId.fromBase64String = (s) => Buffer.from(s.replace(/-/g, "/"), "base64");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(arg("port", process.env.COSMOS_EMULATOR_PORT || "8081"));
const host = arg("host", "127.0.0.1");
const pidFile = arg("pid-file", "");
// When started by a test process, exit with it even if it dies without stopping us (a killed test host).
const parentPid = Number(arg("parent-pid", "0"));
if (parentPid > 0) {
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
}

const passthroughPlan = JSON.stringify({
  partitionedQueryExecutionInfoVersion: 2,
  queryInfo: {
    distinctType: "None",
    top: null,
    offset: null,
    limit: null,
    orderBy: [],
    orderByExpressions: [],
    groupByExpressions: [],
    groupByAliases: [],
    aggregates: [],
    groupByAliasToAggregateType: {},
    rewrittenQuery: "",
    hasSelectValue: false,
    hasNonStreamingOrderBy: false,
  },
  queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }],
});

const documentPath = /^\/dbs\/[^/]+\/colls\/[^/]+\/docs\/[^/]+$/;

const server = createHttpServer({ keepAlive: true });
const inner = server.listeners("request").slice();
server.removeAllListeners("request");
server.on("request", (req, res) => {
  const isQueryPlan = String(req.headers["x-ms-cosmos-is-query-plan-request"] || "").toLowerCase() === "true";
  if (req.method === "POST" && isQueryPlan) {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "x-ms-request-charge": "0" });
      res.end(passthroughPlan);
    });
    return;
  }
  const path = (req.url || "").split("?")[0];
  if (documentPath.test(path)) {
    const end = res.end.bind(res);
    res.end = (body, ...rest) => {
      if (res.statusCode === 500 && !res.headersSent) {
        res.statusCode = 404;
        body = JSON.stringify({ code: "NotFound", message: "Entity with the specified id does not exist in the system." });
      }
      return end(body, ...rest);
    };
  }
  for (const listener of inner) listener.call(server, req, res);
});

// The package logs every handler exception to stderr; a missing document is expected traffic, not an error.
const consoleError = console.error;
console.error = (...args) => {
  if (args[0] instanceof TypeError) return;
  consoleError(...args);
};

server.listen(port, host, () => {
  const address = server.address();
  if (pidFile) fs.writeFileSync(pidFile, String(process.pid));
  process.stdout.write(`cosmos emulator listening on http://${address.address}:${address.port}/\n`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (pidFile) fs.rmSync(pidFile, { force: true });
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
