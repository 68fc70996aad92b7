import { readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.ts";
import { createApp } from "../../src/http/createApp.ts";
import { listen } from "../../src/http/server.ts";
import { openStores } from "../../src/store/openStores.ts";
import { newTestToken, portOf } from "../support/serviceFixture.ts";
import { copyRows } from "../../src/store/postgres/copyRows.ts";
import { storeMaker } from "../support/storeKinds.ts";

/**
 * What only the PostgreSQL store has to get right: the server's failures as one line that
 * names the database but never its password, and a database user's rights, found before a
 * term run reads a state's history.
 */
const root = join(import.meta.dirname, "..", "..");
const history = join(root, "fixtures", "state-small.csv");
const models = join(root, "models");
const quiet = () => {};

describe("the PostgreSQL store", () => {
  const maker = storeMaker("postgres");
  let db: string;
  let errors: string[] = [];

  beforeAll(async () => {
    db = await maker.fresh("rights");
    expect(await main(["node", "ewis", "run-term", "--history", history, "--year", "2027", "--term", "fall", "--models", models, "--db", db], quiet)).toBe(0);
    const admin = new pg.Client({ connectionString: db });
    await admin.connect();
    try {
      // A user who may read and audit, not publish: what a service instance needs.
      await admin.query("CREATE ROLE reader LOGIN PASSWORD 'reader-secret'");
      await admin.query("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader");
      await admin.query("GRANT INSERT ON audit TO reader");
    } finally {
      await admin.end();
    }
  }, 120_000);

  const as = (user: string, password: string) => db.replace("postgres://postgres@", `postgres://${user}:${password}@`);
  const run = async (...args: string[]) => {
    errors = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: unknown) => void errors.push(String(line)));
    try {
      return await main(["node", "ewis", ...args], quiet);
    } finally {
      spy.mockRestore();
    }
  };
  afterEach(() => vi.restoreAllMocks());

  it("says in one line that a server cannot be reached, naming it without the password", async () => {
    const code = await run("terms", "--db", "postgres://ewis:do-not-print@127.0.0.1:1/ewis");
    expect(code).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ewis: postgres:\/\/ewis@127\.0\.0\.1:1\/ewis: opening the store failed: the database server cannot be reached \(ECONNREFUSED/);
    expect(errors[0]).not.toContain("do-not-print");
    expect(await run("terms", "--db", "postgres://ewis@127.0.0.1:1/ewis?password=do-not-print&sslmode=disable")).toBe(1);
    expect(errors[0]).toMatch(/^ewis: postgres:\/\/ewis@127\.0\.0\.1:1\/ewis\?sslmode=disable: opening the store failed/);
    expect(errors[0]).not.toContain("do-not-print");
  });

  it("says there is no such database", async () => {
    expect(await run("terms", "--db", db.replace(/\/[^/]+$/, "/no_such_db"))).toBe(1);
    expect(errors[0]).toMatch(/there is no such database on the server \(3D000/);
  });

  it("serves and exports as a user who may only read and audit, and refuses that user's term run before reading the history", async () => {
    const reader = as("reader", "reader-secret");
    const out = join(maker.work, "reader-export.csv");
    expect(await run("export", "--db", reader, "--year", "2027", "--term", "fall", "--out", out)).toBe(0);
    const rejects = join(maker.work, "never.csv");
    expect(await run("run-term", "--history", join(maker.work, "no-such-history.csv"), "--year", "2027", "--term", "fall", "--models", models, "--db", reader, "--rejects", rejects)).toBe(1);
    // The rights, not the missing history file, stopped it: the store was checked first.
    expect(errors[0]).toMatch(/checking the store can be written failed: this database user may not do that .*\(42501/);
    expect(errors[0]).not.toContain("reader-secret");
  });

  it("has no separate audit trail to begin again: --start-new-trail is refused and the trail stays", async () => {
    const lines: string[] = [];
    errors = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: unknown) => void errors.push(String(line)));
    try {
      expect(await main(["node", "ewis", "audit", "--db", db, "--start-new-trail"], (l) => lines.push(l))).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors[0]).toMatch(/keeps its audit trail in the database itself/);
    expect(await main(["node", "ewis", "audit", "--db", db], (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toBe("at,by,name,role,route,term,students");
  });

  it("takes the URL from EWIS_DATABASE_URL when --db is not given", async () => {
    const lines: string[] = [];
    vi.stubEnv("EWIS_DATABASE_URL", db);
    try {
      expect(await main(["node", "ewis", "terms"], (l) => lines.push(l))).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(lines[1]).toMatch(/^2027 {2}fall {6}published {2}1206\/1328/);
    expect(await run("terms")).toBe(2); // neither given
  });

  it("copies rows in bulk exactly: text with tabs, line breaks and backslashes, nulls, doubles, bytes", async () => {
    const pool = new pg.Pool({ connectionString: db });
    const client = await pool.connect();
    try {
      await client.query("CREATE TEMP TABLE copied (t text, n integer, x double precision, b bytea)");
      const rows: [string | null, number | null, number, Buffer][] = [
        ["tab\there, line\nbreak, return\r, back\\slash \\N", 1, 0.1 + 0.2, Buffer.from([0, 1, 254, 255])],
        [null, null, -1e-300, Buffer.alloc(0)],
        ["\\N", 2_147_483_647, Number.MAX_VALUE, Buffer.from(new Float64Array([Math.PI]).buffer)],
      ];
      await copyRows(client, "copied", ["t", "n", "x", "b"], rows, (r) => r);
      const { rows: back } = await client.query("SELECT t, n, x, b FROM copied");
      expect(back.map((r) => [r.t, r.n, r.x, r.b])).toEqual(rows);
    } finally {
      client.release();
      await pool.end();
    }
  });

  it("keeps a published term in the server: the run leaves no file behind", async () => {
    const folders = [join(root, "fixtures"), root, maker.work];
    const before = folders.map((f) => readdirSync(f).sort());
    const fresh = await maker.fresh("no_files");
    expect(await main(["node", "ewis", "run-term", "--history", history, "--year", "2026", "--term", "spring", "--models", models, "--db", fresh], quiet)).toBe(0);
    expect(folders.map((f) => readdirSync(f).sort())).toEqual(before);
  });

  it("answers many student-level requests at once: a read's snapshot never waits on the audit for a connection", async () => {
    const stores = await openStores(db, { mustExist: true });
    const token = await newTestToken(stores.tokens, { name: "busy counselor", role: "counselor", schools: ["D0001-E01"], districts: [], studentGrant: false });
    const server = await listen(createApp({ stores, rateLimitPerMinute: 1_000_000 }), 0);
    try {
      // Three times the pool's ten connections, all at once; three rounds, so the later ones
      // meet a pool whose connections are all open already and are taken at the same moment.
      const burst = (round: number) =>
        Promise.all(
          Array.from({ length: 30 }, (_, k) =>
            fetch(`http://127.0.0.1:${portOf(server)}/api/v1/students?school=D0001-E01&limit=${round * 30 + k + 1}`, {
              headers: { authorization: `Bearer ${token}` },
              signal: AbortSignal.timeout(20_000),
            }).then((r) => r.status),
          ),
        );
      for (let round = 0; round < 3; round++) expect(await burst(round)).toEqual(Array(30).fill(200));
      expect((await stores.audit.trail(1000)).filter((e) => e.token_name === "busy counselor")).toHaveLength(90);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await stores.close();
    }
  });

  it("answers 503 naming the store, not a bare 500, when the database refuses a token lookup", async () => {
    const admin = new pg.Client({ connectionString: db });
    await admin.connect();
    const stores = await openStores(as("reader", "reader-secret"), { mustExist: true });
    const server = await listen(createApp({ stores, log: () => {} }), 0);
    try {
      await admin.query("REVOKE SELECT ON tokens FROM reader");
      const response = await fetch(`http://127.0.0.1:${portOf(server)}/api/v1/terms`, { headers: { authorization: "Bearer ewis_some-token-000000000000000000" } });
      expect(response.status).toBe(503);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("store_failed");
      expect(body.error.message).toMatch(/^a statement on the store failed: this database user may not do that/);
      expect(body.error.message).not.toContain("reader-secret");
    } finally {
      await admin.query("GRANT SELECT ON tokens TO reader");
      await admin.end();
      await new Promise((resolve) => server.close(resolve));
      await stores.close();
    }
  });
});
