import { spawn } from "node:child_process";
import type { Server } from "node:http";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endSession, sessionOf, startSession } from "../../src/app/sessions.ts";
import { addUser } from "../../src/app/users.ts";
import { main } from "../../src/cli/main.ts";
import { createApp } from "../../src/http/createApp.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import { auditLogFile } from "../../src/store/sqlite/auditLog.ts";
import type { Stores } from "../../src/store/stores.ts";
import { newTestToken } from "../support/serviceFixture.ts";
import { soak } from "../support/soak.ts";
import { storeKinds, storeMaker } from "../support/storeKinds.ts";

/**
 * The service under steady load while `run-term` re-publishes the very term it is serving,
 * in another process. A re-run keeps the term's id, so a response stitched from two reads
 * either side of the commit would name one version and carry the other's rows. Every
 * response must equal, byte for byte, the answer the same request gets when nothing is
 * being published, for the version it names. On both stores: SQLite's file, and PostgreSQL,
 * where `run-term` is another client of the same server.
 */
const root = join(import.meta.dirname, "..", "..");
const models = join(root, "models");
const quiet = () => {};
const [A1, A] = ["D0001-E01", "D0001"];
const publishes = soak ? 20 : 4;
/** The soak publishes a 100,000-student state, whose publish holds the write lock for seconds. */
const students = soak ? 100_000 : 3000;
const inFlight = 6;

type Holder = "counselor" | "district" | "state";
type Query = { path: string; who: Holder };

interface Answer {
  status: number;
  version: string;
  body: string;
}

describe.each(storeKinds)("the service on %s while a term is being published", (kind) => {
const maker = storeMaker(kind);
let work: string;
let db: string;
let stores: Stores;
let server: Server;
let base: string;
const histories: string[] = [];
const tokens: Record<Holder, string> = { counselor: "", district: "", state: "" };

async function ask(query: Query): Promise<Answer> {
  const response = await fetch(`${base}/api/v1${query.path}`, { headers: { authorization: `Bearer ${tokens[query.who]}` } });
  const body = await response.text();
  // JSON names its term in the body; the CSV export in a header, as a download has no room for it.
  const version = response.headers.get("content-type")?.includes("json")
    ? ((JSON.parse(body) as { term?: { id: number; finished_at: string } }).term?.finished_at ?? "")
    : (response.headers.get("ewis-term-finished-at") ?? "");
  return { status: response.status, version, body };
}

let queries: Query[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-load-"));
  db = await maker.fresh("load");
  histories.push(soak ? join(work, "state-7.csv") : join(root, "fixtures", "state-small.csv"), join(work, "state-9.csv"));
  // The same schools and student ids, other students' records: every score changes between versions.
  for (const [seed, file] of soak ? [[7, histories[0]], [9, histories[1]]] : [[9, histories[1]]]) {
    expect(await main(["node", "ewis", "generate", "--students", String(students), "--seed", String(seed), "--out", String(file)], quiet)).toBe(0);
  }
  for (const [year, term] of [["2026", "spring"], ["2027", "fall"]]) {
    expect(await main(["node", "ewis", "run-term", "--history", histories[0], "--year", year, "--term", term, "--models", models, "--db", db], quiet)).toBe(0);
  }
  stores = await openStores(db);
  tokens.counselor = await newTestToken(stores.tokens, { name: "load counselor", role: "counselor", schools: [A1], districts: [], studentGrant: false });
  tokens.district = await newTestToken(stores.tokens, { name: "load district", role: "district_admin", schools: [], districts: [A], studentGrant: false });
  tokens.state = await newTestToken(stores.tokens, { name: "load state", role: "state_admin", schools: [], districts: [], studentGrant: true });
  server = await listen(createApp({ stores, rateLimitPerMinute: 1_000_000 }), 0);
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  // A student scored in both histories, so their detail answers 200 in every version.
  const scored = async () => (await stores.terms.riskList((await stores.terms.latestTerm())!.id)).map((s) => s.student_id);
  const inFirst = new Set(await scored());
  expect(await republish(histories[1])).toBe(0);
  const both = (await scored()).find((id) => inFirst.has(id));
  expect(both).toBeDefined();
  queries = [
    { path: `/students?school=${A1}&limit=50`, who: "counselor" },
    { path: `/students?school=${A1}&format=csv`, who: "counselor" },
    { path: `/students/${both}`, who: "state" },
    { path: `/students?district=${A}&tier=high&limit=100`, who: "district" },
    { path: `/schools/${A1}/rollup`, who: "district" },
    { path: `/districts/${A}/rollup`, who: "district" },
    { path: "/state/rollup", who: "state" },
    { path: "/students?limit=200&sort=risk_asc", who: "state" },
  ];
}, soak ? 600_000 : 60_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await stores.close();
});

const republish = (history: string) =>
  new Promise<number | null>((resolve) => {
    const child = spawn("node", [join(root, "bin", "ewis.js"), "run-term", "--history", history, "--year", "2027", "--term", "fall", "--models", models, "--db", db], {
      stdio: "ignore",
    });
    child.on("exit", (code) => resolve(code));
  });

  it("serves every request without error, each from the one whole term version it names", async () => {
    /** Answers with nothing being published, by version and query: what every answer must equal. */
    const settled = new Map<string, string[]>();
    const settle = async () => {
      const answers = [];
      for (const query of queries) answers.push(await ask(query));
      for (const a of answers) expect(a.status).toBe(200);
      expect(new Set(answers.map((a) => a.version)).size).toBe(1);
      settled.set(answers[0].version, answers.map((a) => a.body));
    };
    await settle();

    const underLoad: { query: number; answer: Answer }[] = [];
    let publishing = true;
    const worker = async (w: number) => {
      for (let i = w; publishing; i++) underLoad.push({ query: i % queries.length, answer: await ask(queries[i % queries.length]) });
    };
    const workers = Array.from({ length: inFlight }, (_, w) => worker(w));
    try {
      for (let p = 0; p < publishes; p++) {
        expect(await republish(histories[p % 2])).toBe(0);
        publishing = p < publishes - 1;
        if (!publishing) await Promise.all(workers);
        await settle();
      }
    } finally {
      publishing = false;
      await Promise.all(workers);
    }

    expect(settled.size).toBe(publishes + 1);
    const versionsSeen = new Set<string>();
    for (const { query, answer } of underLoad) {
      expect(answer.status, `${queries[query].path} under load`).toBe(200);
      const expected = settled.get(answer.version);
      expect(expected, `${queries[query].path} named version ${answer.version}`).toBeDefined();
      expect(answer.body, `${queries[query].path} as of ${answer.version}`).toBe(expected![query]);
      versionsSeen.add(answer.version);
    }
    // The load straddled the commits: answers came from most of the versions, not just the last.
    expect(versionsSeen.size).toBeGreaterThan(publishes / 2);
    console.log(`load during publish: ${underLoad.length} requests, ${publishes} publishes, ${versionsSeen.size} term versions served`);
  }, soak ? 3_600_000 : 120_000);

  it("records its audit entries while a publish holds the store's write lock", async () => {
    const holder = spawn("node", ["--import", "tsx", join(root, "test", "support", "holdPublish.ts"), db, "6000"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    const released = new Promise<void>((resolve) => holder.on("exit", () => resolve()));
    try {
      await new Promise<void>((resolve) => holder.stdout.on("data", (chunk) => String(chunk).includes("holding") && resolve()));
      const before = (await stores.audit.trail(1))[0].id;
      const started = Date.now();
      const answer = await ask(queries[0]);
      const waited = Date.now() - started;
      expect(answer.status).toBe(200);
      // Answered while the publish still holds its lock (6 s), not after it, nor at the 10 s busy timeout.
      expect(waited).toBeLessThan(3_000);
      expect(holder.exitCode).toBeNull();
      const entry = (await stores.audit.trail(1))[0];
      expect(entry.id).toBe(before + 1);
      expect(entry.students).toEqual(JSON.parse(answer.body).students.map((s: { student_id: string }) => s.student_id));
    } finally {
      await released;
    }
    expect(await stores.terms.findTerm(2099, "held")).toBeUndefined();
  });

  it("signs a person in and out while a publish holds the store's write lock", async () => {
    const userId = await addUser(stores.users, { subject: `held-${Date.now()}`, grant: { name: "held counselor", role: "counselor", schools: [A1], districts: [], studentGrant: false } }, new Date());
    const subject = (await stores.users.listUsers()).find((u) => u.id === userId)!.subject!;
    const holder = spawn("node", ["--import", "tsx", join(root, "test", "support", "holdPublish.ts"), db, "6000"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    const released = new Promise<void>((resolve) => holder.on("exit", () => resolve()));
    try {
      await new Promise<void>((resolve) => holder.stdout.on("data", (chunk) => String(chunk).includes("holding") && resolve()));
      const started = Date.now();
      const session = await startSession(stores, { subject }, new Date());
      expect(session.ok).toBe(true);
      const value = session.ok ? session.session : "";
      expect((await sessionOf(stores.sessions, value, new Date())).ok).toBe(true);
      expect(await endSession(stores.sessions, value, new Date())).toBe(true);
      // Written while the publish still holds its lock (6 s), not after it, nor at the 10 s busy timeout.
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(holder.exitCode).toBeNull();
    } finally {
      await released;
    }
  });

  it("serves no student-level answer it cannot audit, and still serves rollups", async () => {
    // The trail's table taken away under the running service: its next audit insert fails.
    const trail = await trailTable(db);
    await trail.exec("ALTER TABLE audit RENAME TO audit_away");
    try {
      const answer = await ask(queries[0]);
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body).error.code).toBe("store_failed");
      expect(JSON.parse(answer.body).error.message).toMatch(/^recording the audit entry failed: .*; nothing was served$/);
      expect(answer.body).not.toContain("student_id");
      expect((await ask(queries[4])).status).toBe(200);
    } finally {
      await trail.exec("ALTER TABLE audit_away RENAME TO audit");
      await trail.close();
    }
  });
});

/** The audit trail's table behind the store's back: in SQLite's audit file, or PostgreSQL's database. */
async function trailTable(db: string): Promise<{ exec(sql: string): Promise<void>; close(): Promise<void> }> {
  if (db.startsWith("postgres://")) {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    return { exec: async (sql) => void (await client.query(sql)), close: () => client.end() };
  }
  const file = new Database(auditLogFile(db));
  return {
    exec: async (sql) => {
      file.exec(sql);
    },
    close: async () => {
      file.close();
    },
  };
}
