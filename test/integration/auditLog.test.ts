import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { rejected } from "../support/caught.ts";
import { main } from "../../src/cli/main.ts";
import { openSqliteStores } from "../../src/store/sqlite/sqliteStores.ts";
import { auditLogFile } from "../../src/store/sqlite/auditLog.ts";

describe("the audit trail's own file", () => {
  it("sits beside the store and takes over the trail a store kept in itself before", async () => {
    const work = await mkdtemp(join(tmpdir(), "ewis-audit-"));
    const db = join(work, "ewis.db");
    expect(auditLogFile(db)).toBe(join(work, "ewis.audit.db"));
    await openSqliteStores(db).close();
    // A store as an older ewis left it: its reads audited in its own table, no audit file.
    // (A store that only publishes never opens the audit file, so its lock is never taken.)
    expect(existsSync(auditLogFile(db))).toBe(false);
    const old = new Database(db);
    const insert = old.prepare("INSERT INTO audit (id, at, token_id, token_name, role, route, term_id, students, student_count) VALUES (?, ?, 1, 'c', 'counselor', 'GET /students', 1, ?, ?)");
    insert.run(7, "2026-01-05T10:00:00.000Z", JSON.stringify(["S1", "S2"]), 2);
    insert.run(9, "2026-01-06T10:00:00.000Z", JSON.stringify(["S3"]), 1);
    old.close();

    const store = openSqliteStores(db);
    try {
      // New ids in the old order: an older ewis still writing the old table restarts its ids.
      expect((await store.audit.trail()).map((a) => [a.id, a.at, a.students])).toEqual([
        [2, "2026-01-06T10:00:00.000Z", ["S3"]],
        [1, "2026-01-05T10:00:00.000Z", ["S1", "S2"]],
      ]);
      expect(existsSync(auditLogFile(db))).toBe(true);
      await store.audit.record({ at: "2026-01-07T10:00:00.000Z", token_id: 1, user_id: null, token_name: "c", role: "counselor", route: "GET /students/:id", term_id: 1, students: ["S4"] });
      expect((await store.audit.trail()).map((a) => a.id)).toEqual([3, 2, 1]);
    } finally {
      await store.close();
    }
    const check = new Database(db, { readonly: true });
    expect(check.prepare("SELECT count(*) AS n FROM audit").get()).toEqual({ n: 0 });
    check.close();
    // Opened again, nothing moves twice.
    const reopened = openSqliteStores(db);
    expect((await reopened.audit.trail()).length).toBe(3);
    await reopened.close();
  });

  it("refuses to begin an empty trail quietly when the store's trail file is lost, until told to", async () => {
    const work = await mkdtemp(join(tmpdir(), "ewis-audit-"));
    const db = join(work, "ewis.db");
    const entry = { at: "2026-02-01T10:00:00.000Z", token_id: 1, user_id: null, token_name: "c", role: "counselor", route: "GET /students", term_id: 1, students: ["S1"] };
    const store = openSqliteStores(db);
    await store.audit.record(entry);
    await store.close();
    for (const suffix of ["", "-wal", "-shm"]) await rm(`${auditLogFile(db)}${suffix}`, { force: true });

    const reopened = openSqliteStores(db);
    try {
      const refusal = await rejected(() => reopened.audit.record(entry));
      expect(refusal.code).toBe("store_failed");
      expect(refusal.message).toMatch(/^the audit trail begun .* is missing; restore it from the backup/);
      expect(refusal.context.file).toBe(auditLogFile(db));
      expect(existsSync(auditLogFile(db))).toBe(false);
    } finally {
      await reopened.close();
    }
    expect(await main(["node", "ewis", "audit", "--db", db], () => {})).toBe(1);
    expect(await main(["node", "ewis", "audit", "--db", db, "--start-new-trail"], () => {})).toBe(0);
    const renewed = openSqliteStores(db);
    await renewed.audit.record(entry);
    // The new trail holds only what was read after it began.
    expect((await renewed.audit.trail()).map((a) => a.students)).toEqual([["S1"]]);
    await renewed.close();
  });
  it("upgrades a trail file from before sign-in, every entry kept, so a signed-in user's read is recorded by user", async () => {
    const work = await mkdtemp(join(tmpdir(), "ewis-audit-"));
    const db = join(work, "ewis.db");
    await openSqliteStores(db).close();
    // The trail file as the last ewis before sign-in wrote it: every read by a token.
    const old = new Database(auditLogFile(db));
    old.exec(`CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, token_id INTEGER NOT NULL, token_name TEXT NOT NULL,
              role TEXT NOT NULL, route TEXT NOT NULL, term_id INTEGER, students TEXT NOT NULL, student_count INTEGER NOT NULL)`);
    old.prepare("INSERT INTO audit VALUES (4, '2026-01-05T10:00:00.000Z', 2, 'c', 'counselor', 'GET /students', 1, ?, 1)").run(JSON.stringify(["S1"]));
    old.close();
    const store = openSqliteStores(db);
    try {
      await store.audit.record({ at: "2026-01-06T10:00:00.000Z", token_id: null, user_id: 5, token_name: "A. Rivera", role: "counselor", route: "GET /students/:id", term_id: 1, students: ["S2"] });
      expect((await store.audit.trail()).map((a) => [a.id, a.token_id, a.user_id, a.students])).toEqual([
        [5, null, 5, ["S2"]],
        [4, 2, null, ["S1"]],
      ]);
    } finally {
      await store.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
