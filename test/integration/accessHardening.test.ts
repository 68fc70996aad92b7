import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { request as httpRequest, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "node:util";
import Database from "better-sqlite3";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_TOKEN_DAYS, inScope, rollupScope, type AccessScope, type Principal } from "../../src/core/index.ts";
import { main } from "../../src/cli/main.ts";
import { NO_ROUTE, type AccessLine, type LogLine } from "../../src/http/accessLog.ts";
import { hashToken } from "../../src/http/auth.ts";
import { createApp } from "../../src/http/createApp.ts";
import { routes, type RouteSpec } from "../../src/http/routes.ts";
import { listen } from "../../src/http/server.ts";
import { signIn } from "../../src/app/tokens.ts";
import { tokenMint } from "../../src/http/auth.ts";
import { openStores } from "../../src/store/openStores.ts";
import { migrations } from "../../src/store/sqlite/migrations.ts";
import { auditLogFile } from "../../src/store/sqlite/auditLog.ts";
import { A, A1, A2, B, B1, grants, matrixRequests, newTestToken, portOf, quiet, root, startService, type Service, type Who } from "../support/serviceFixture.ts";

/**
 * Issue 7, access: tampered, expired and revoked tokens; path traversal and injection in every
 * parameter of every route (enumerated from `routes`, so a new one is covered as it lands);
 * static files outside src/web; and a log that carries no student and no token. One app over a
 * real SQLite store for the whole file, its log sink captured and the console spied from the
 * first request to the last, so the log checks at the end see everything this file sent.
 */
const DAY = 86_400_000;
const webRoot = join(root, "src", "web");
const realLog = console.log.bind(console);

let service: Service;
let port: number;
/** The app's clock: the real one unless a test moves it. */
let clock: Date | undefined;
const now = () => clock ?? new Date();
const logged: LogLine[] = [];
const consoleLines: string[] = [];
/** Every Authorization value sent, and every token made here: none may reach a log. */
const sentAuthorizations = new Set<string>();
const issued: string[] = [];
const tokenNames = new Set<string>();
/** Requests sent to apps whose log this file captures (not the `ewis serve` child's). */
let requestsSent = 0;
const capturedPorts = new Set<number>();

interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
  body: unknown;
}

/** A GET with the path sent as written: no URL normalisation, so `..` and `%2e` reach the server. */
function raw(path: string, headers: Record<string, string | string[]> = {}, to = port, post?: unknown): Promise<RawAnswer> {
  for (const value of [headers.authorization ?? []].flat()) if (value.length >= 10) sentAuthorizations.add(value);
  if (capturedPorts.has(to)) requestsSent++;
  return new Promise((resolve, reject) => {
    const method = post === undefined ? "GET" : "POST";
    const sent = post === undefined ? headers : { ...headers, "content-type": "application/json" };
    const req = httpRequest({ host: "127.0.0.1", port: to, path, method, headers: sent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const contentType = String(res.headers["content-type"] ?? "");
        let body: unknown = text;
        if (contentType.includes("json")) body = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, contentType, text, body });
      });
    });
    req.on("error", reject);
    req.end(post === undefined ? undefined : JSON.stringify(post));
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const as = (who: Who) => bearer(service.tokens[who]);
const cli = async (...args: string[]) => {
  const lines: string[] = [];
  const code = await main(["node", "ewis", ...args], (line) => lines.push(line));
  return { code, lines };
};

/** The store's row counts and schema, read over a second connection. */
function snapshot(db: string) {
  const conn = new Database(db, { readonly: true });
  try {
    const count = (table: string) => (conn.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      terms: count("terms"),
      scores: count("scores"),
      rollups: count("rollups"),
      tokens: count("tokens"),
      schema: (conn.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all() as object[]).map((r) => JSON.stringify(r)).join("\n"),
    };
  } finally {
    conn.close();
  }
}

function readDb<T>(db: string, sql: string): T[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare(sql).all() as T[];
  } finally {
    conn.close();
  }
}

const principalOf = (who: Who): Principal => ({ tokenId: 0, userId: null, name: who, ...grants[who] });

/** Every object in a body that names a place, not in the holder's scope. */
function outOfScope(body: unknown, scope: AccessScope): string[] {
  const bad: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o.district_id === "string" || typeof o.school_id === "string") {
        const where = { district_id: String(o.district_id ?? ""), school_id: String(o.school_id ?? "") };
        if (!inScope(scope, where)) bad.push(JSON.stringify(where));
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(body);
  return bad;
}

/** Text that must never be in an answer: files outside src/web, the token hashes, SQL, stack traces. */
let forbiddenText: string[] = [];

function expectClean(label: string, a: RawAnswer) {
  for (const text of forbiddenText) expect(a.text.includes(text), `${label}: the answer holds ${JSON.stringify(text.slice(0, 40))}`).toBe(false);
  expect(a.text, label).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

function expectErrorBody(label: string, a: RawAnswer) {
  expect(a.contentType, label).toMatch(/^application\/json/);
  expect(a.body, label).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
}

beforeAll(async () => {
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleLines.push(format(...args));
    });
  }
  service = await startService("ewis-access-", { log: (line) => logged.push(line), now, rateLimitPerMinute: 1_000_000 });
  port = portOf(service.server);
  capturedPorts.add(port);
  issued.push(...Object.values(service.tokens));
  for (const who of Object.keys(grants)) tokenNames.add(`test ${who}`);
  const fileText = (path: string, marker: RegExp) => (existsSync(path) ? (readFileSync(path, "utf8").match(marker)?.[0] ?? []) : []);
  forbiddenText = [
    ...[fileText(join(root, "package.json"), /"allowScripts"/), fileText(join(root, "package.json"), /"devDependencies"/)].flat(),
    ...[fileText(join(root, "tsconfig.json"), /"compilerOptions"/), fileText(join(root, "src", "core", "index.ts"), /The one way into core/)].flat(),
    ...[fileText("/etc/passwd", /^root:[^\n]*/), fileText(join(root, ".git", "config"), /repositoryformatversion/)].flat(),
    "CREATE TABLE",
    "SQLITE_",
    ...readDb<{ hash: string }>(service.db, "SELECT hash FROM tokens").map((r) => r.hash),
  ];
  expect(forbiddenText.length).toBeGreaterThan(8);
  // Two terms published first: well past the default 10 s when the machine is busy.
}, 120_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await service?.close();
});

const protectedRoutes = routes.filter((r) => !r.public);
/** A legal value for each path parameter, in scope of the holder `whoFor` picks. */
function samplePath(route: RouteSpec): string {
  const sample = route.path.startsWith("/students") ? service.students.inA1 : route.path.startsWith("/schools") ? A1 : route.path.startsWith("/plans") ? "1" : A;
  return `/api/v1${route.path.replace(/:[A-Za-z_]+/g, sample)}`;
}

/** A route called as it is served: its sample path, and for a POST an empty JSON body. */
const callRoute = (route: RouteSpec, headers: Record<string, string | string[]> = {}, to = port) =>
  raw(samplePath(route), headers, to, route.method === "post" ? {} : undefined);

// ---------------------------------------------------------------------------------------------
// Tokens

type Tampered = [string, string | string[] | undefined];

/** Ways a token can arrive wrong; `token` is the counselor's, `other` the school admin's (both valid). */
function tamperedHeaders(token: string, other: string): Tampered[] {
  const body = token.slice("ewis_".length);
  const change = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
  const flip = (s: string) => [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
  const letter = 5 + [...body].findIndex((c) => /[A-Za-z]/.test(c));
  return [
    ["first character after the prefix changed", `Bearer ${change(token, 5)}`],
    ["a middle character changed", `Bearer ${change(token, 26)}`],
    ["last character changed", `Bearer ${change(token, token.length - 1)}`],
    ["truncated by one", `Bearer ${token.slice(0, -1)}`],
    ["truncated to half", `Bearer ${token.slice(0, 26)}`],
    ["extended by one", `Bearer ${token}A`],
    ["extended by its own body", `Bearer ${token}${body}`],
    ["case flipped", `Bearer ${flip(token.slice(0, 5))}${flip(body)}`],
    ["one letter's case flipped", `Bearer ${token.slice(0, letter)}${flip(token[letter])}${token.slice(letter + 1)}`],
    ["prefix upper-cased", `Bearer EWIS_${body}`],
    ["another product's prefix", `Bearer ghp_${body}`],
    ["no prefix", `Bearer ${body}`],
    ["prefix only", "Bearer ewis_"],
    ["Basic scheme, token as password", `Basic ${Buffer.from(`user:${token}`).toString("base64")}`],
    ["Basic scheme, token as is", `Basic ${token}`],
    ["Token scheme", `Token ${token}`],
    ["no scheme", token],
    ["no space after the scheme", `Bearer${token}`],
    ["two spaces after the scheme", `Bearer  ${token}`],
    ["two tokens in one header", `Bearer ${token} ${other}`],
    ["two tokens, comma-separated", `Bearer ${token}, Bearer ${other}`],
    ["two tokens joined by a comma", `Bearer ${token},${other}`],
    ["two Authorization headers, both valid", [`Bearer ${token}`, `Bearer ${other}`]],
    ["a valid then a made-up Authorization header", [`Bearer ${token}`, "Bearer ewis_not-a-real-token-at-all"]],
    ["empty header", ""],
    ["the scheme alone", "Bearer "],
    ["no header", undefined],
    ["10 kB header", `Bearer ${"A".repeat(10_240)}`],
    ["10 kB header starting with the token", `Bearer ${token}${"A".repeat(10_240)}`],
    ["non-ASCII (Latin-1) inside the token", `Bearer ${token.slice(0, 20)}é${token.slice(21)}`],
    ["non-ASCII (UTF-8 bytes) inside the token", Buffer.from(`Bearer ${token.slice(0, 20)}ü€${token.slice(22)}`, "utf8").toString("latin1")],
    ["the token's stored hash instead of the token", `Bearer ${hashToken(token)}`],
    ["SQL instead of a token", "Bearer ' OR '1'='1"],
    ["SQL-shaped text that passes the token pattern", "Bearer ewis_x--OR--1-1--UNION-SELECT"],
  ];
}

const tamperedCount = tamperedHeaders(`ewis_${"A".repeat(43)}`, `ewis_${"B".repeat(43)}`).length;
const tokenCases = tamperedCount * protectedRoutes.length;

describe(`tampered tokens: ${tamperedCount} headers × ${protectedRoutes.length} routes = ${tokenCases} cases`, () => {
  it("each answers 401 with a JSON error and no data, on every route that needs a token", async () => {
    let tried = 0;
    for (const [what, header] of tamperedHeaders(service.tokens.counselor, service.tokens.school_admin)) {
      for (const route of protectedRoutes) {
        const a = await callRoute(route, header === undefined ? {} : { authorization: header });
        const label = `${what} on ${route.path}`;
        expect(a.status, label).toBe(401);
        expectErrorBody(label, a);
        expect((a.body as { error: { code: string } }).error.code).toBe("unauthorized");
        expect(a.text, label).not.toMatch(/student_id|school_id|district_id/);
        expect(a.text, label).not.toContain(service.tokens.counselor.slice(5, 25));
        expectClean(label, a);
        tried++;
      }
    }
    expect(tried).toBe(tokenCases);
    // The untampered token still works: the 401s above are the tampering, not the setup.
    expect((await raw(samplePath(routes.find((r) => r.path === "/students/:id")!), as("counselor"))).status).toBe(200);
    // The scheme's name is case-insensitive (RFC 9110); the token is not ("case flipped" above).
    for (const scheme of ["bearer", "BEARER"]) {
      expect((await raw(samplePath(routes.find((r) => r.path === "/students/:id")!), { authorization: `${scheme} ${service.tokens.counselor}` })).status).toBe(200);
    }
  });

  it("says which refusal it is without saying more: unknown, bad form, several headers", async () => {
    const path = "/api/v1/terms";
    const message = async (headers: Record<string, string | string[]>) => ((await raw(path, headers)).body as { error: { message: string } }).error.message;
    expect(await message(bearer(`${service.tokens.counselor}A`))).toMatch(/^that token is not valid/);
    expect(await message({ authorization: "Basic abc" })).toMatch(/Authorization: Bearer <token>/);
    expect(await message({ authorization: [`Bearer ${service.tokens.counselor}`, `Bearer ${service.tokens.counselor}`] })).toMatch(/one Authorization header/);
  });
});

// ---------------------------------------------------------------------------------------------
// Expired and revoked tokens

describe("expired tokens", () => {
  it("a token past its expires_at answers 401 saying when it expired", async () => {
    const token = "ewis_expired-long-ago-0000000000000000000000000";
    await service.stores.tokens.createToken({ name: "expired holder", ...grants.counselor }, hashToken(token), "2025-01-01T00:00:00.000Z", "2025-03-31T12:00:00.000Z");
    issued.push(token);
    tokenNames.add("expired holder");
    for (const route of protectedRoutes) {
      const a = await callRoute(route, bearer(token));
      expect(a.status, route.path).toBe(401);
      expect(a.body).toEqual({ error: { code: "unauthorized", message: "that token expired on 2025-03-31; ask for a new one" } });
      expectClean(route.path, a);
    }
  });

  it("by the app's clock: answers until the instant its days run out, then 401 (no sleeping)", async () => {
    const made = new Date("2026-09-01T08:00:00.000Z");
    const token = await newTestToken(service.stores.tokens, { name: "clock holder", ...grants.counselor }, { now: made });
    issued.push(token);
    tokenNames.add("clock holder");
    const expiry = made.getTime() + DEFAULT_TOKEN_DAYS * DAY;
    try {
      clock = new Date(expiry - 1);
      expect((await raw("/api/v1/terms", bearer(token))).status).toBe(200);
      clock = new Date(expiry);
      const a = await raw("/api/v1/terms", bearer(token));
      expect(a.status).toBe(401);
      expect(a.body).toEqual({ error: { code: "unauthorized", message: "that token expired on 2026-11-30; ask for a new one" } });
      clock = new Date(expiry + 365 * DAY);
      expect((await callRoute(protectedRoutes[0], bearer(token))).status).toBe(401);
      // Before it was made counts as valid: only expiry and revocation end a token.
      clock = new Date(made.getTime() - DAY);
      expect((await raw("/api/v1/terms", bearer(token))).status).toBe(200);
    } finally {
      clock = undefined;
    }
  });

  it("`ewis token create --expires-in-days N` sets the expiry; 0 and more than a year and a day are refused", async () => {
    const created = await cli("token", "create", "--db", service.db, "--role", "counselor", "--name", "short holder", "--school", A1, "--expires-in-days", "2");
    expect(created.code).toBe(0);
    const token = created.lines.at(-1)!;
    issued.push(token);
    tokenNames.add("short holder");
    const listed = (await cli("token", "list", "--db", service.db)).lines.find((l) => l.includes("short holder"))!;
    const [, , , , createdAt, expiresAt] = listed.split(",");
    expect(Date.parse(expiresAt) - Date.parse(createdAt)).toBe(2 * DAY);
    try {
      clock = new Date(Date.parse(expiresAt) - 1000);
      expect((await raw("/api/v1/terms", bearer(token))).status).toBe(200);
      clock = new Date(Date.parse(expiresAt) + 1000);
      expect(((await raw("/api/v1/terms", bearer(token))).body as { error: { message: string } }).error.message).toMatch(/^that token expired on \d{4}-\d\d-\d\d;/);
    } finally {
      clock = undefined;
    }
    const byDefault = await cli("token", "list", "--db", service.db);
    const counselor = byDefault.lines.find((l) => l.startsWith(`${tokenIdOf("test counselor")},`))!.split(",");
    expect(Date.parse(counselor[5]) - Date.parse(counselor[4])).toBe(DEFAULT_TOKEN_DAYS * DAY);
    for (const days of ["0", "367"]) {
      expect(await main(["node", "ewis", "token", "create", "--db", service.db, "--role", "counselor", "--name", "never made", "--school", A1, "--expires-in-days", days], quiet), days).toBe(2);
    }
    expect(readDb(service.db, "SELECT id FROM tokens WHERE name = 'never made'")).toEqual([]);
  });

  it("reads an expiry written in SQLite's own format as UTC, and refuses a damaged one", async () => {
    const token = await newTestToken(service.stores.tokens, { name: "hand-edited holder", ...grants.counselor });
    issued.push(token);
    tokenNames.add("hand-edited holder");
    const id = tokenIdOf("hand-edited holder");
    const conn = new Database(service.db);
    const setExpiry = (value: string) => conn.prepare("UPDATE tokens SET expires_at = ? WHERE id = ?").run(value, id);
    try {
      setExpiry("2030-06-01 12:00:00");
      clock = new Date("2030-06-01T11:59:59.000Z");
      expect((await raw("/api/v1/terms", bearer(token))).status).toBe(200);
      clock = new Date("2030-06-01T12:00:00.000Z");
      expect((await raw("/api/v1/terms", bearer(token))).status).toBe(401);
      clock = undefined;
      setExpiry("next summer");
      const a = await raw("/api/v1/terms", bearer(token));
      expect(a.status).toBe(401);
      expect((a.body as { error: { message: string } }).error.message).toBe("that token expired on an unreadable date; ask for a new one");
    } finally {
      clock = undefined;
      conn.close();
    }
  });

  it("a token made before expiries existed keeps working until revoked, and is listed as never expiring", async () => {
    const work = await mkdtemp(join(tmpdir(), "ewis-old-tokens-"));
    const db = join(work, "old.db");
    const before = migrations.findIndex((m) => m.includes("ADD COLUMN expires_at"));
    expect(before).toBeGreaterThan(0);
    const old = new Database(db);
    for (const m of migrations.slice(0, before)) old.exec(m);
    old.pragma(`user_version = ${before}`);
    const token = "ewis_made-before-expiries-00000000000000000000000";
    old.prepare("INSERT INTO tokens (name, role, districts, schools, student_grant, hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)").run("old holder", "counselor", "[]", JSON.stringify([A1]), 0, hashToken(token), "2024-01-01T00:00:00.000Z");
    old.close();
    const store = await openStores(db);
    try {
      const check = await signIn(store.tokens, tokenMint, token, new Date("2040-01-01T00:00:00.000Z"));
      expect(check.ok && check.principal.name).toBe("old holder");
    } finally {
      await store.close();
    }
    const listed = await cli("token", "list", "--db", db);
    expect(listed.lines).toEqual(["id,name,role,scope,created,expires,revoked,state", `1,old holder,counselor,school:${A1},2024-01-01T00:00:00.000Z,never,,active`]);
    expect((await cli("token", "revoke", "--db", db, "--id", "1")).code).toBe(0);
    const store2 = await openStores(db);
    try {
      expect(await signIn(store2.tokens, tokenMint, token, new Date())).toEqual({ ok: false, reason: "revoked", at: expect.any(String) });
    } finally {
      await store2.close();
    }
  });
});

function tokenIdOf(name: string): number {
  return readDb<{ id: number }>(service.db, `SELECT id FROM tokens WHERE name = '${name.replaceAll("'", "''")}'`)[0].id;
}

describe("revoked tokens", () => {
  it("`ewis token revoke` ends a token at once on a running service: 401 saying it was revoked", async () => {
    const made = await cli("token", "create", "--db", service.db, "--role", "district_admin", "--name", "leaving holder", "--district", A);
    const token = made.lines.at(-1)!;
    issued.push(token);
    tokenNames.add("leaving holder");
    expect((await callRoute(protectedRoutes[0], bearer(token))).status).toBe(200);
    const list = await cli("token", "list", "--db", service.db);
    const row = list.lines.find((l) => l.split(",")[1] === "leaving holder")!;
    expect(row).toMatch(/,district_admin,district:D0001,.*,,active$/);
    const id = row.split(",")[0];
    const revoked = await cli("token", "revoke", "--db", service.db, "--id", id);
    expect(revoked).toEqual({ code: 0, lines: [`token ${id} (leaving holder, district_admin) revoked; the API refuses it from now on`] });
    for (const route of protectedRoutes) {
      const a = await callRoute(route, bearer(token));
      expect(a.status, route.path).toBe(401);
      expect(a.body).toEqual({ error: { code: "unauthorized", message: "that token was revoked; ask for a new one" } });
      expectClean(route.path, a);
    }
    // Revoked outranks expired: the holder learns the token was taken back, not that it ran out.
    try {
      clock = new Date(Date.now() + 400 * DAY);
      expect(((await raw("/api/v1/terms", bearer(token))).body as { error: { message: string } }).error.message).toMatch(/was revoked/);
    } finally {
      clock = undefined;
    }
    const again = await cli("token", "revoke", "--db", service.db, "--id", id);
    expect(again.code).toBe(0);
    expect(again.lines[0]).toMatch(new RegExp(`^token ${id} \\(leaving holder, district_admin\\) was already revoked on \\d{4}-`));
    expect((await cli("token", "revoke", "--db", service.db, "--id", "99999")).code).toBe(1);
    // Other holders are untouched.
    expect((await callRoute(protectedRoutes[0], as("district_admin"))).status).toBe(200);
  });

  it("`ewis token list` shows every token's state and never a token or its hash", async () => {
    const { code, lines } = await cli("token", "list", "--db", service.db);
    expect(code).toBe(0);
    expect(lines[0]).toBe("id,name,role,scope,created,expires,revoked,state");
    const text = lines.join("\n");
    for (const token of issued) expect(text).not.toContain(token);
    for (const { hash } of readDb<{ hash: string }>(service.db, "SELECT hash FROM tokens")) expect(text).not.toContain(hash);
    expect(text).not.toMatch(/ewis_[A-Za-z0-9_-]{20}/);
    const states = new Map(lines.slice(1).map((l) => [l.split(",")[1], l.split(",").at(-1)]));
    expect(states.get("test counselor")).toBe("active");
    expect(states.get("expired holder")).toBe("expired");
    expect(states.get("leaving holder")).toBe("revoked");
    expect(lines.find((l) => l.includes("test state_admin_granted"))).toMatch(/,state_admin,state students,/);
  });
});

describe("demo tokens", () => {
  it("`ewis serve --demo-tokens` prints tokens that work, lasting a week, and logs JSON lines to stdout", async () => {
    const work = await mkdtemp(join(tmpdir(), "ewis-serve-"));
    const db = join(work, "serve.db");
    // The store and its audit trail are backed up together: a store without its trail serves no students.
    for (const [from, to] of [[service.db, db], [auditLogFile(service.db), auditLogFile(db)]]) {
      const source = new Database(from, { readonly: true });
      await source.backup(to);
      source.close();
    }
    const child = spawn(process.execPath, [join(root, "bin", "ewis.js"), "serve", "--db", db, "--port", "0", "--demo-tokens"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
    try {
      const deadline = Date.now() + 30_000;
      while (!/on http:\/\/127\.0\.0\.1:\d+\//.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const servePort = Number(/on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1]);
      expect(servePort, `ewis serve did not start: ${err}`).toBeGreaterThan(0);
      const demo = Object.fromEntries([...out.matchAll(/^ {2}(\w+) +(ewis_[A-Za-z0-9_-]{43})$/gm)].map((m) => [m[1], m[2]]));
      expect(Object.keys(demo).sort()).toEqual(["counselor", "district_admin", "school_admin", "state_admin"]);
      const student = readDb<{ student_id: string }>(db, "SELECT student_id FROM scores LIMIT 1")[0].student_id;
      const list = await raw("/api/v1/students?limit=5", bearer(demo.counselor), servePort);
      expect(list.status).toBe(200);
      expect((await raw("/api/v1/state/rollup", bearer(demo.state_admin), servePort)).status).toBe(200);
      expect((await raw(`/api/v1/students/${student}`, {}, servePort)).status).toBe(401);
      while (out.split("\n").filter((l) => l.startsWith("{")).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const jsonLines = out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as AccessLine);
      expect(jsonLines.map((l) => [l.route, l.status])).toEqual([
        ["/api/v1/students", 200],
        ["/api/v1/state/rollup", 200],
        ["/api/v1/students/:id", 401],
      ]);
      expect(jsonLines.every((l) => l.type === "access" && typeof l.ms === "number")).toBe(true);
      const logText = out.split("\n").filter((l) => l.startsWith("{")).join("\n");
      for (const token of Object.values(demo)) expect(logText).not.toContain(token);
      expect(logText).not.toContain(student);
      const listed = (await cli("token", "list", "--db", db)).lines.filter((l) => l.includes("demo "));
      expect(listed).toHaveLength(4);
      for (const l of listed) {
        const [, , , , created, expires] = l.split(",");
        expect(Date.parse(expires) - Date.parse(created)).toBe(7 * DAY);
      }
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const stuck = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(stuck);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Injection and traversal in every parameter

const payloads = [
  "../../etc/passwd",
  "..%2f..%2fpackage.json",
  "%2e%2e%2f",
  "..\\..\\package.json",
  "/etc/passwd",
  "' OR 1=1 --",
  "'+OR+1=1+--",
  '" OR ""="',
  "1; DROP TABLE scores",
  "1 UNION SELECT hash FROM tokens",
  "<script>alert(1)</script>",
  "%00",
  "\u0000",
  "%E0%A4%A",
  "%zz",
  "x".repeat(5000),
  "__proto__",
  "constructor",
  '{"$gt":""}',
  "${7*7}{{7*7}}",
  "\r\nSet-Cookie: x=1",
  "école",
  "𝕏\u202eevil\u200b",
  "ＤＯＯＯ１",
  `${A1}\u0301`,
  "-1",
  "1e3",
  "0x10",
  "1.5",
  "",
];
/**
 * Values that are legal for some parameter, most of them outside the holder's scope: the answer
 * may be a normal one, and then it must hold only rows in scope.
 */
const legalValues = [A1, A2, B1, A, B, "S00000001", "1", "2", "500", "all", "high", "early_literacy", "low_income", "new", "risk_asc", "csv"];

/** Names a parameter may not have: prototypes, brackets, SQL, paths. */
const badNames = ["__proto__", "constructor", "__proto__[admin]", "constructor[prototype][admin]", "hasOwnProperty", "toString", "school[]", "' OR 1=1 --", "../../etc/passwd"];

/** A value as sent: percent-encoded (the server sees the payload itself), or as written when that is a legal request target. */
type Form = "encoded" | "raw";
const formsOf = (value: string): Form[] => (/^[\x21-\x7e]+$/.test(value) && !value.includes("#") && encodeURIComponent(value) !== value ? ["encoded", "raw"] : ["encoded"]);
const send = (value: string, form: Form) => (form === "raw" ? value : encodeURIComponent(value));

/** Cursors that decode to a payload: the parameter is opaque base64url JSON. */
const cursorPayloads = [
  [0.5, "' OR 1=1 --", "early_literacy"],
  [1e308, "S00000001", "early_literacy"],
  { __proto__: { admin: true } },
  JSON.parse('{"__proto__": {"admin": true}}'),
  ["0.5", "S00000001", "early_literacy; DROP TABLE scores"],
  [-1, "S00000001", "early_literacy"],
  [2, "S", "early_literacy"],
].map((v) => Buffer.from(JSON.stringify(v)).toString("base64url"));

interface Case {
  route: RouteSpec;
  param: string;
  where: "path" | "query" | "repeat" | "name";
  value: string;
  form: Form;
}

const keysOf = (schema: z.ZodType | undefined): string[] => (schema instanceof z.ZodObject ? Object.keys(schema.shape) : []);

const cases: Case[] = routes.flatMap((route) => [
  ...keysOf(route.params).flatMap((param) => [...payloads, ...legalValues].flatMap((value) => formsOf(value).map((form) => ({ route, param, where: "path" as const, value, form })))),
  ...keysOf(route.query).flatMap((param) => [
    ...[...payloads, ...legalValues, ...(param === "cursor" ? cursorPayloads : [])].flatMap((value) => formsOf(value).map((form) => ({ route, param, where: "query" as const, value, form }))),
    { route, param, where: "repeat" as const, value: "1", form: "raw" as const },
  ]),
  ...badNames.flatMap((value) => formsOf(value).map((form) => ({ route, param: "(parameter names)", where: "name" as const, value, form }))),
]);

const groups = [...groupBy(cases, (c) => `${c.route.path} ${c.param}`).entries()].map(([name, list]) => ({ name, count: list.length, list }));
const paramCount = routes.reduce((n, r) => n + keysOf(r.params).length + keysOf(r.query).length, 0);

/** The holder each route is tried as: one who may use it, with the narrowest scope. */
const whoFor = (route: RouteSpec): Who | undefined =>
  route.public ? undefined : route.path === "/state/rollup" ? "state_admin" : route.path === "/districts/:id/rollup" ? "district_admin" : "counselor";

function urlOf(c: Case): string {
  let path = samplePath(c.route);
  if (c.where === "path") path = `/api/v1${c.route.path.replace(`:${c.param}`, send(c.value, c.form))}`;
  if (c.where === "query") return `${path}?${c.param}=${send(c.value, c.form)}`;
  if (c.where === "repeat") return `${path}?${c.param}=1&${c.param}=2`;
  if (c.where === "name") return `${path}?${send(c.value, c.form)}=1`;
  return path;
}

/** Rows (objects naming a place) in the scoped answers the payloads got: the scope check had something to check. */
let answeredRows = 0;
const placesIn = (body: unknown): number =>
  Array.isArray(body)
    ? body.reduce((n: number, v) => n + placesIn(v), 0)
    : body && typeof body === "object"
      ? ("school_id" in body || "district_id" in body ? 1 : 0) + Object.values(body).reduce((n: number, v) => n + placesIn(v), 0)
      : 0;

async function tryCase(c: Case): Promise<void> {
  const who = whoFor(c.route);
  const url = urlOf(c);
  const a = await raw(url, who ? as(who) : {});
  const label = `${url.slice(0, 120)} as ${who ?? "no one"}`;
  expect(a.status, label).toBeLessThan(500);
  if (a.status >= 400) expectErrorBody(label, a);
  else {
    const scope = who ? rollupScope(principalOf(who)) : undefined;
    if (a.contentType.startsWith("text/csv")) {
      // Only a legal `format=csv` gets here: every row's place must be in scope.
      const [header, ...rows] = a.text.trim().split("\n").map((l) => l.split(","));
      const at = (name: string) => header.indexOf(name);
      expect(at("school_id"), label).toBeGreaterThan(0);
      expect(outOfScope(rows.map((r) => ({ district_id: r[at("district_id")], school_id: r[at("school_id")] })), scope!), label).toEqual([]);
      answeredRows += rows.length;
    } else {
      expect(a.contentType, label).toMatch(/^application\/json/);
      if (scope) expect(outOfScope(a.body, scope), label).toEqual([]);
      answeredRows += placesIn(a.body);
    }
  }
  expectClean(label, a);
}

describe(`injection and traversal: ${cases.length} cases over ${routes.length} routes and ${paramCount} parameters`, () => {
  let before: ReturnType<typeof snapshot>;
  let auditBefore: number;
  beforeAll(() => {
    before = snapshot(service.db);
    auditBefore = readDb<{ n: number }>(auditLogFile(service.db), "SELECT max(id) AS n FROM audit")[0].n ?? 0;
  });

  it("covers every parameter of every route, with every payload", () => {
    for (const route of routes) {
      for (const param of [...keysOf(route.params), ...keysOf(route.query)]) {
        const tried = new Set(cases.filter((c) => c.route === route && c.param === param && c.where !== "repeat").map((c) => c.value));
        for (const p of payloads) expect(tried.has(p), `${route.path} ${param} ${p.slice(0, 20)}`).toBe(true);
      }
    }
    expect(paramCount).toBeGreaterThan(25);
  });

  it.each(groups)("$name: $count cases, never 5xx, a JSON error or a scoped answer, no file", async ({ list }) => {
    for (const c of list) await tryCase(c);
  });

  it("left the store as it was: same rows, same schema; reads audited only within scope", () => {
    expect(answeredRows, "no payload got a scoped answer with rows in it").toBeGreaterThan(1000);
    expect(snapshot(service.db)).toEqual(before);
    const counselorSchools = new Set([A1]);
    const trail = readDb<{ token_id: number; students: string }>(auditLogFile(service.db), `SELECT token_id, students FROM audit WHERE id > ${auditBefore}`);
    const schoolOf = new Map(readDb<{ student_id: string; school_id: string }>(service.db, "SELECT DISTINCT student_id, school_id FROM scores").map((r) => [`${r.student_id}|${r.school_id}`, true]));
    const counselorId = tokenIdOf("test counselor");
    const counselorReads = trail.filter((e) => e.token_id === counselorId);
    expect(counselorReads.length, "the counselor's answered reads were audited").toBeGreaterThan(0);
    for (const entry of counselorReads) {
      for (const student of JSON.parse(entry.students) as string[]) expect([...counselorSchools].some((s) => schoolOf.has(`${student}|${s}`)), student).toBe(true);
    }
  });
});

const webFiles = readdirSync(webRoot).map((f) => readFileSync(join(webRoot, f), "utf8"));
const staticPaths = [
  "/../package.json",
  "/%2e%2e/package.json",
  "/%2e%2e%2fpackage.json",
  "/..%2f..%2fsrc/core/index.ts",
  "/.%2e/package.json",
  "/..%5cpackage.json",
  "/..%252f..%252fpackage.json",
  "/%c0%ae%c0%ae/package.json",
  "/vendor/../../package.json",
  "/vendor/%2e%2e/%2e%2e/package.json",
  "/vendor/chart.umd.min.js/../../../package.json",
  "/index.html/../../package.json",
  "/list/..%2f..%2fpackage.json",
  "/../../../../etc/passwd",
  "//etc/passwd",
  "/%2fetc%2fpasswd",
  "/package.json",
  "/tsconfig.json",
  "/src/core/index.ts",
  "/../src/core/index.ts",
  "/.git/config",
  "/node_modules/chart.js/package.json",
  "/index.html%00.json",
  "/api/v1/../../package.json",
  "/api/v1/..%2f..%2fpackage.json",
  "/api/v1/students/..%2f..%2f..%2fpackage.json",
];

describe(`static files: ${staticPaths.length} traversal paths`, () => {
  it("serve nothing from outside src/web", async () => {
    for (const path of staticPaths) {
      const a = await raw(path);
      expect(a.status, path).toBeLessThan(500);
      if (a.status === 200) expect(webFiles.includes(a.text), `${path} served a file not in src/web`).toBe(true);
      else expectErrorBody(path, a);
      expectClean(path, a);
    }
    // The pages themselves are still served.
    for (const path of ["/", "/list", "/student.html", "/app.js", "/vendor/chart.umd.min.js"]) expect((await raw(path)).status, path).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Logs

describe("the log", () => {
  let brokenServer: Server | undefined;
  afterAll(async () => {
    if (brokenServer) await new Promise((resolve) => brokenServer!.close(resolve));
  });

  it("holds no student, no student-level value and no token, through the matrix, the payloads and a 500", async () => {
    // The access matrix, as http.test.ts holds it, over this app.
    for (const { who, path, status } of matrixRequests(service)) expect((await raw(`/api/v1${path}`, as(who))).status, `${who} ${path}`).toBe(status);
    // Payloads, tampered tokens and traversal again, so this test stands on its own.
    for (const c of cases) await tryCase(c);
    for (const [, header] of tamperedHeaders(service.tokens.counselor, service.tokens.school_admin)) {
      for (const route of protectedRoutes) await callRoute(route, header === undefined ? {} : { authorization: header });
    }
    for (const path of staticPaths) await raw(path);
    await raw(`/api/v1/students/${service.students.inB1}?term=1&colour=${service.students.inA2}`, as("counselor"));
    // A name search, answered and refused: its body is no more in the log than a query is.
    expect((await raw("/api/v1/students/search", as("counselor"), port, { name: "a", tier: "high" })).status).toBe(200);
    expect((await raw("/api/v1/students/search", as("counselor"), port, { name: service.students.inA2, colour: service.students.inA2 })).status).toBe(400);

    // A 500: the service's store goes away under it (a database closed, as on a failed disk).
    const broken = await openStores(service.db);
    brokenServer = await listen(createApp({ stores: broken, log: (line) => logged.push(line), now, rateLimitPerMinute: 1_000_000 }), 0);
    capturedPorts.add(portOf(brokenServer));
    await broken.close();
    const failed = await raw(`/api/v1/students/${service.students.inA1}?term=1`, as("counselor"), portOf(brokenServer));
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expectErrorBody("the 500", failed);
    expect(failed.text).not.toMatch(/\n\s+at /);
    await new Promise((resolve) => setImmediate(resolve));

    const errors = logged.filter((l) => l.type === "error");
    expect(errors.length).toBeGreaterThanOrEqual(1);
    const error = errors.at(-1)!;
    expect(error).toMatchObject({ type: "error", method: "GET", route: "/api/v1/students/:id", status: failed.status, error: { name: expect.any(String), message: expect.any(String) } });
    expect(error.type === "error" && error.error.stack).toMatch(/\n\s+at /);

    // One access line per request, each naming its route by pattern.
    const access = logged.filter((l) => l.type === "access");
    expect(access.length).toBe(requestsSent);
    const patterns = new Set([
      ...routes.map((r) => `/api/v1${r.path}`),
      "/api/v1/openapi.json",
      "/vendor/chart.umd.min.js",
      NO_ROUTE,
      ...readdirSync(webRoot).flatMap((f) => [`/${f}`, ...(f.endsWith(".html") ? [`/${f.slice(0, -5)}`] : []), ...(f === "index.html" ? ["/"] : [])]),
    ]);
    for (const line of access) {
      expect(patterns.has(line.route), line.route).toBe(true);
      expect(Object.keys(line).sort()).toEqual(["method", "ms", "route", "status", "time", "token", "type", "user", ...("aborted" in line ? ["aborted"] : [])].sort());
      expect(line.token === null || Number.isInteger(line.token)).toBe(true);
      expect(line.user === null || Number.isInteger(line.user)).toBe(true);
    }
    const seen = new Set(access.map((l) => `${l.route} ${l.status}`));
    for (const route of routes) expect([...seen].some((s) => s.startsWith(`/api/v1${route.path} `)), route.path).toBe(true);
    for (const expected of ["/api/v1/students/:id 200", "/api/v1/students/:id 400", "/api/v1/students/:id 401", "/api/v1/students/:id 403", "/api/v1/students/:id 404", "/api/v1/students 200", "/api/v1/students 400", "/api/v1/state/rollup 403", `/api/v1/students/:id ${failed.status}`]) {
      expect(seen.has(expected), expected).toBe(true);
    }
    const counselorId = tokenIdOf("test counselor");
    expect(access.some((l) => l.token === counselorId && l.status === 200)).toBe(true);
    expect(access.filter((l) => l.status === 401).every((l) => l.token === null)).toBe(true);

    // Nothing of a student, a token or a holder in any line the sink or the console got.
    const lines = [...logged.map((l) => JSON.stringify(l)), ...consoleLines];
    const ids = readDb<{ student_id: string }>(service.db, "SELECT DISTINCT student_id FROM scores").map((r) => r.student_id);
    expect(ids.length).toBeGreaterThan(1000);
    const scores = readDb<{ risk: number; drivers: string }>(service.db, "SELECT risk, drivers FROM scores");
    const risks = scores.map((r) => String(r.risk)).filter((v) => v.length >= 8);
    const secrets = [...issued, ...[...sentAuthorizations].map((h) => h.replace(/^\w+ /, "")).filter((t) => t.length >= 10), ...tokenNames];
    expect(substringsIn(lines, [...ids, ...risks, ...secrets])).toEqual([]);
    // Drivers (`attendance_rate=0.9167:+0.39;…`): none of a student's, nor anything shaped like one.
    const driverItems = new Set(scores.flatMap((r) => r.drivers.split(";")).filter(Boolean));
    const driverShape = /[a-z_]+=[^;:"\s]+:[+-][\d.]+/g;
    expect(lines.flatMap((l) => l.match(driverShape) ?? [])).toEqual([]);
    expect(substringsIn(lines, [...driverItems])).toEqual([]);
    const values = risks.length + driverItems.size;
    realLog(
      `access hardening: ${tokenCases} tampered-token cases, ${cases.length} injection cases over ${paramCount} parameters of ${routes.length} routes, ` +
        `${staticPaths.length} static traversal paths; ${lines.length} log lines checked against ${ids.length} student ids, ${values} student values, ${secrets.length} tokens and names`,
    );
  });
});

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Which of `needles` occur in any line: a sliding window per needle length over a set, so thousands of needles stay fast. */
function substringsIn(lines: string[], needles: string[]): string[] {
  const byLength = groupBy([...new Set(needles)], (n) => String(n.length));
  const sets = [...byLength.entries()].map(([length, list]) => [Number(length), new Set(list)] as const);
  const found = new Set<string>();
  for (const line of lines) {
    for (const [length, set] of sets) {
      for (let i = 0; i + length <= line.length; i++) {
        const piece = line.slice(i, i + length);
        if (set.has(piece)) found.add(piece);
      }
    }
  }
  return [...found];
}
