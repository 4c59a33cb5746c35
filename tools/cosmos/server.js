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
//  4. Bad requests. The package decodes path segments synchronously, outside its own error handling, so a
//     path it cannot decode (`%ff`: "URI malformed") used to kill the process and every document with it.
//     Every request the wrapper cannot serve is answered with a JSON error (400 BadRequest, 404 NotFound,
//     500 InternalServerError), and the process never exits because of one request.
//  5. Minimal write responses. A write sent with "Prefer: return=minimal" (the SDK's EnableContentResponseOnWrite
//     = false) is answered without the document, as the real service does, so neither side encodes or decodes it.
//  6. Persistence (--data-dir DIR or COSMOS_EMULATOR_DATA_DIR). Without it the data lives in memory only
//     (what the tests use). With it every mutation that succeeded (create, replace, upsert, patch, delete,
//     batch; of databases, containers and documents) is appended to DIR/cosmos-journal (a header line, then the
//     request body's raw bytes; a DIR/cosmos-journal.ndjson of the first format is replayed and replaced) and fsynced
//     BEFORE its response is sent, so a kill -9 loses nothing that was acknowledged. At start the journal is
//     replayed in order before any request is served. Mutations are applied one at a time so the journal's
//     order is the order they took effect. After the replay the journal is compacted to the creates that
//     rebuild the current state (written aside, fsynced, then renamed over it), so restarts stay quick.
//     ETags and _ts are assigned afresh on replay (a client holding an
//     ETag from before a restart gets 412 and reads again, as after any concurrent change).
// Usage: node server.js [--port 8081] [--host 127.0.0.1] [--pid-file path] [--parent-pid pid] [--data-dir DIR]
"use strict";
const fs = require("fs");
const path = require("path");
const { Readable } = require("stream");
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
const dataDir = arg("data-dir", process.env.COSMOS_EMULATOR_DATA_DIR || "");
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

function sendError(res, status, code, message) {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, { "content-type": "application/json", "x-ms-request-charge": "0" });
  res.end(JSON.stringify({ code, message }));
}

// A path the package can serve: every segment decodes (it calls decodeURIComponent on each), and no
// segment is "." or ".." once decoded (the real service refuses those ids; the package would resolve them
// against the parent resource).
function pathProblem(url) {
  const pathname = String(url || "").split("?")[0];
  for (const segment of pathname.split("/")) {
    let decoded;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return "The request path is not valid percent-encoding (URI malformed).";
    }
    if (decoded === "." || decoded === "..") return "'.' and '..' are not valid resource ids.";
    if (/[\u0000-\u001f\u007f]/.test(decoded)) return "Resource ids cannot contain control characters.";
  }
  return null;
}

function isMutation(req) {
  const method = req.method;
  if (method === "PUT" || method === "DELETE" || method === "PATCH") return true;
  if (method !== "POST") return false;
  const header = (name) => String(req.headers[name] || "").toLowerCase() === "true";
  if (header("x-ms-cosmos-is-query-plan-request") || header("x-ms-documentdb-isquery")) return false;
  return req.headers["content-type"] !== "application/query+json";
}

const server = createHttpServer({ keepAlive: true });
const inner = server.listeners("request").slice();
server.removeAllListeners("request");

// Runs the package's handler on a request whose body is already read; resolves with the status it answered.
function dispatch(req, res, body, onEnd) {
  const fake = Readable.from(body.length > 0 ? [body] : [], { objectMode: false });
  fake.method = req.method;
  fake.url = req.url;
  fake.headers = req.headers;
  fake.httpVersion = req.httpVersion;
  fake.socket = req.socket;
  fake.connection = req.socket;
  const minimal = (req.method === "POST" || req.method === "PUT") && /return=minimal/i.test(String(req.headers["prefer"] || ""));
  return new Promise((resolve) => {
    const end = res.end.bind(res);
    res.end = (chunk, ...rest) => {
      const path = String(req.url || "").split("?")[0];
      if (res.statusCode === 500 && !res.headersSent && documentPath.test(path)) {
        // A missing document makes the package throw (500); the real service answers 404.
        res.statusCode = 404;
        chunk = JSON.stringify({ code: "NotFound", message: "Entity with the specified id does not exist in the system." });
      }
      if (minimal && (res.statusCode === 200 || res.statusCode === 201) && !res.headersSent) {
        // The client asked for no content back on a write (the SDK's EnableContentResponseOnWrite = false sends
        // "Prefer: return=minimal"); the real service then answers without a body, and so do we.
        chunk = undefined;
        res.removeHeader("content-length");
        res.setHeader("content-length", "0");
      }
      if (onEnd) onEnd(res.statusCode);
      const result = end(chunk, ...rest);
      resolve(res.statusCode);
      return result;
    };
    try {
      for (const listener of inner) listener.call(server, fake, res);
    } catch (e) {
      sendError(res, 400, "BadRequest", `The request cannot be served: ${e && e.message}`);
      resolve(400);
    }
  });
}

// --- persistence: an append-only journal of acknowledged mutations ---------------------------------------
// One entry per mutation: a JSON header line {"m": method, "u": url, "h": headers, "n": body bytes}, then the body's
// n bytes as they came, then "\n". The body is written raw, not base64 in a JSON string: a 1 MB page document cost
// 5.8 ms of encoding per write that way (2.4 ms to write it, 1.3 ms to fsync) on this project's machine. Journals of
// the first format (one JSON line per entry, the body base64 in "b") replay as well, and compaction rewrites them in
// this one.
const journalPath = dataDir ? path.join(dataDir, "cosmos-journal") : "";
const firstFormatPath = dataDir ? path.join(dataDir, "cosmos-journal.ndjson") : ""; // replayed once, then replaced
let journalFd = -1;
const droppedHeaders = new Set(["authorization", "if-match", "if-none-match", "x-ms-date", "date", "content-length", "host", "connection", "user-agent"]);
const newline = Buffer.from("\n");

function journalEntry(method, url, headers, body) {
  return [Buffer.from(JSON.stringify({ m: method, u: url, h: headers, n: body.length }) + "\n"), body, newline];
}

function journal(req, body) {
  if (journalFd < 0) return;
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) if (!droppedHeaders.has(name)) headers[name] = value;
  writeAll(journalFd, journalEntry(req.method, req.url, headers, body));
  fs.fsyncSync(journalFd);
}

function writeAll(fd, buffers) {
  let pending = buffers.filter((b) => b.length > 0);
  while (pending.length > 0) {
    let written = fs.writevSync(fd, pending);
    // A short write (rare, large entries): go on from where it stopped.
    while (pending.length > 0 && written >= pending[0].length) written -= pending.shift().length;
    if (written > 0) pending[0] = pending[0].subarray(written);
  }
}

// The journal's entries in order, as {m, u, h, body}; a torn tail (a crash mid-write, never acknowledged) ends them.
function* journalEntries(data) {
  let position = 0;
  while (position < data.length) {
    const end = data.indexOf(10, position);
    if (end < 0) return;
    let entry;
    try {
      entry = JSON.parse(data.toString("utf8", position, end));
    } catch {
      return;
    }
    if (typeof entry.n === "number") {
      const stop = end + 1 + entry.n;
      if (stop >= data.length || data[stop] !== 10) return;
      yield { m: entry.m, u: entry.u, h: entry.h, body: data.subarray(end + 1, stop) };
      position = stop + 1;
    } else if (typeof entry.b === "string") {
      yield { m: entry.m, u: entry.u, h: entry.h, body: Buffer.from(entry.b, "base64") }; // the first format
      position = end + 1;
    } else {
      return;
    }
  }
}

async function replay() {
  if (!journalPath) return 0;
  fs.mkdirSync(dataDir, { recursive: true });
  let count = 0;
  const source = fs.existsSync(journalPath) ? journalPath : fs.existsSync(firstFormatPath) ? firstFormatPath : "";
  if (source) {
    for (const entry of journalEntries(fs.readFileSync(source))) {
      const res = fakeResponse();
      await dispatch({ method: entry.m, url: entry.u, headers: entry.h, httpVersion: "1.1", socket: null }, res, entry.body);
      count += 1;
    }
    // Compact: rewrite the journal as the creates that rebuild the current state (this also drops a torn
    // tail), to a temporary file that replaces the journal atomically once it is on disk.
    const snapshot = await snapshotEntries();
    const temporary = journalPath + ".compacting";
    const fd = fs.openSync(temporary, "w");
    for (const entry of snapshot) writeAll(fd, entry);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temporary, journalPath);
    fs.rmSync(firstFormatPath, { force: true });
    const dir = fs.openSync(dataDir, "r");
    fs.fsyncSync(dir);
    fs.closeSync(dir);
    compacted = snapshot.length;
  }
  journalFd = fs.openSync(journalPath, "a");
  return count;
}

let compacted = 0;
const systemProperties = new Set(["_rid", "_self", "_etag", "_ts", "_attachments", "_docs", "_sprocs", "_triggers", "_udfs", "_conflicts", "_colls", "_users"]);

function withoutSystemProperties(item) {
  const copy = {};
  for (const [name, value] of Object.entries(item)) if (!systemProperties.has(name)) copy[name] = value;
  return copy;
}

// Every item of a feed (databases, containers, documents), read in-process through the package's handlers.
async function readFeed(url, itemsName) {
  const items = [];
  let continuation;
  do {
    const res = fakeResponse();
    const headers = { "x-ms-max-item-count": "1000" };
    if (continuation) headers["x-ms-continuation"] = continuation;
    await dispatch({ method: "GET", url, headers, httpVersion: "1.1", socket: null }, res, Buffer.alloc(0));
    if (res.statusCode !== 200) throw new Error(`reading ${url} for compaction answered ${res.statusCode}`);
    items.push(...(JSON.parse(res.body)[itemsName] || []));
    continuation = res.headers["x-ms-continuation"];
  } while (continuation);
  return items;
}

async function snapshotEntries() {
  const entries = [];
  const json = { "content-type": "application/json" };
  const entry = (url, body) => journalEntry("POST", url, json, Buffer.from(JSON.stringify(body)));
  for (const database of await readFeed("/dbs", "Databases")) {
    const db = encodeURIComponent(database.id);
    entries.push(entry("/dbs", withoutSystemProperties(database)));
    for (const collection of await readFeed(`/dbs/${db}/colls`, "DocumentCollections")) {
      const coll = encodeURIComponent(collection.id);
      entries.push(entry(`/dbs/${db}/colls`, withoutSystemProperties(collection)));
      for (const document of await readFeed(`/dbs/${db}/colls/${coll}/docs`, "Documents")) {
        entries.push(entry(`/dbs/${db}/colls/${coll}/docs`, withoutSystemProperties(document)));
      }
    }
  }
  return entries;
}

function fakeResponse() {
  return {
    statusCode: 200,
    headersSent: false,
    writableEnded: false,
    finished: false,
    headers: {},
    body: "",
    setHeader(name, value) {
      this.headers[String(name).toLowerCase()] = value;
    },
    getHeader(name) {
      return this.headers[String(name).toLowerCase()];
    },
    removeHeader(name) {
      delete this.headers[String(name).toLowerCase()];
    },
    writeHead(status) {
      this.statusCode = status;
    },
    end(chunk) {
      this.body = chunk === undefined ? "" : String(chunk);
      this.writableEnded = this.finished = true;
    },
  };
}

// Mutations run one at a time, so the journal's order is the order they took effect.
let mutations = Promise.resolve();
let ready;

async function handle(req, res) {
  await ready;
  const isQueryPlan = String(req.headers["x-ms-cosmos-is-query-plan-request"] || "").toLowerCase() === "true";
  const problem = pathProblem(req.url);
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  if (req.method === "POST" && isQueryPlan) {
    res.writeHead(200, { "content-type": "application/json", "x-ms-request-charge": "0" });
    res.end(passthroughPlan);
    return;
  }
  if (problem) {
    sendError(res, 400, "BadRequest", problem);
    return;
  }
  if (!isMutation(req)) {
    await dispatch(req, res, body);
    return;
  }
  const run = mutations.then(() =>
    dispatch(req, res, body, (status) => {
      if (status >= 200 && status < 300) journal(req, body);
    }),
  );
  mutations = run.catch(() => {});
  await run;
}

server.on("request", (req, res) => {
  handle(req, res).catch((e) => {
    consoleError("cosmos emulator: request failed:", e);
    sendError(res, 500, "InternalServerError", "The emulator could not serve the request.");
  });
});

// A client that goes away mid-request, a malformed request line: answer or drop that connection only.
server.on("clientError", (err, socket) => {
  if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"code\":\"BadRequest\"}");
  else socket.destroy();
});

// The package logs every handler exception to stderr; a missing document is expected traffic, not an error.
const consoleError = console.error;
console.error = (...args) => {
  if (args[0] instanceof TypeError) return;
  consoleError(...args);
};

// Whatever slips through is logged, never fatal: one request must not take every tenant's data with it.
process.on("uncaughtException", (e) => consoleError("cosmos emulator: uncaught exception:", e));
process.on("unhandledRejection", (e) => consoleError("cosmos emulator: unhandled rejection:", e));

let markReady;
ready = new Promise((resolve) => (markReady = resolve));
server.listen(port, host, async () => {
  const address = server.address();
  try {
    const replayed = await replay();
    if (journalPath) process.stdout.write(`cosmos emulator: ${replayed} journalled mutations replayed from ${journalPath}, compacted to ${compacted}\n`);
  } catch (e) {
    consoleError(`cosmos emulator: cannot use the data directory ${dataDir}:`, e);
    process.exit(1);
  }
  markReady();
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
