import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.ts";
import { openStores, withStores } from "../../src/store/openStores.ts";
import { caseworkFileOf } from "../../src/store/sqlite/caseworkFile.ts";
import { root } from "../support/serviceFixture.ts";
import { storeKinds, storeMaker } from "../support/storeKinds.ts";

/**
 * `ewis purge --before YEAR`, a state's retention rule, on both stores: the terms of earlier
 * school years, the plans that ended and the notes written before it go, open plans stay, what
 * was removed is recorded, and a purge that fails removes nothing.
 */
const history = join(root, "fixtures", "state-small.csv");
const models = join(root, "models");
const quiet = () => {};

describe.each(storeKinds)("purging the %s store", (kind) => {
  const maker = storeMaker(kind);

  async function storeWithHistory(name: string): Promise<string> {
    const db = await maker.fresh(name);
    for (const [year, term] of [["2026", "spring"], ["2027", "fall"]]) {
      expect(await main(["node", "ewis", "run-term", "--history", history, "--year", year, "--term", term, "--models", models, "--db", db], quiet)).toBe(0);
    }
    expect(await main(["node", "ewis", "interventions", "add", "--db", db, "--id", "mentoring", "--label", "Attendance mentoring"], quiet)).toBe(0);
    await withStores(db, {}, async ({ casework }) => {
      const plan = (starts_on: string) => ({
        student_id: "S1", district_id: "D1", school_id: "D1-E1", type_id: "mentoring", owner: "A", goal: "g", starts_on, planned_end: starts_on, check_in_days: 7, created_at: `${starts_on}T00:00:00.000Z`, created_by: "x",
      });
      const ended = await casework.createPlan(plan("2025-01-06"), { at: "2025-01-06T00:00:00.000Z", by: "x", detail: {} });
      await casework.changePlan(ended.id, 1, { ended_on: "2025-05-30", outcome: "goal_met" }, { at: "2025-05-30T00:00:00.000Z", by: "x", kind: "ended", detail: {} });
      await casework.createPlan(plan("2025-02-03"), { at: "2025-02-03T00:00:00.000Z", by: "x", detail: {} }); // still open
      await casework.createPlan(plan("2026-10-05"), { at: "2026-10-05T00:00:00.000Z", by: "x", detail: {} });
      for (const at of ["2025-03-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z"]) {
        await casework.addNote({ student_id: "S1", district_id: "D1", school_id: "D1-E1", kind: "general", text: `note of ${at}`, written_by: "x", written_at: at });
      }
    });
    return db;
  }

  it("removes earlier terms, ended plans and old notes, keeps open plans, and records what it removed", async () => {
    const db = await storeWithHistory("purge");
    const lines: string[] = [];
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await main(["node", "ewis", "purge", "--db", db, "--before", "2027"], (l) => lines.push(l))).toBe(2); // not without --confirm
    } finally {
      errors.mockRestore();
    }
    expect((await withStores(db, {}, ({ terms }) => terms.listTerms())).length).toBe(2);
    expect(await main(["node", "ewis", "purge", "--db", db, "--before", "2026", "--confirm"], (l) => lines.push(l))).toBe(0);
    expect(await main(["node", "ewis", "purge", "--db", db, "--before", "2027", "--confirm"], (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([
      "purged before 2025-07-01: 0 terms (0 scores), 1 ended plans with their history, 1 notes; recorded in the store",
      expect.stringMatching(/^purged before 2026-07-01: 1 terms \(\d+ scores\), 0 ended plans with their history, 0 notes; recorded in the store$/),
    ]);
    await withStores(db, {}, async ({ terms, casework }) => {
      expect((await terms.listTerms()).map((t) => `${t.school_year} ${t.label}`)).toEqual(["2027 fall"]);
      const kept = await terms.latestTerm();
      expect((await terms.riskList(kept!.id, {}, { all: true }, { limit: 1 })).length).toBe(1);
      expect((await casework.plansOf(["S1"])).map((p) => p.starts_on)).toEqual(["2026-10-05", "2025-02-03"]);
      expect((await casework.notesOf("S1", ["general"])).map((n) => n.written_at)).toEqual(["2026-10-01T00:00:00.000Z"]);
      expect((await terms.purges()).map((p) => [p.before_year, p.terms, p.plans, p.notes])).toEqual([
        [2026, 0, 1, 1],
        [2027, 1, 0, 0],
      ]);
    });
  }, 120_000);

  /** Breaks one table of the store (`file: "casework"`: of SQLite's casework file) so that a purge fails when it reaches it. */
  async function drop(db: string, table: string, file: "store" | "casework" = "store") {
    if (kind === "sqlite") {
      const conn = new Database(file === "store" ? db : caseworkFileOf(db));
      conn.exec(`DROP TABLE ${table}`);
      conn.close();
    } else {
      const client = new pg.Client({ connectionString: db });
      await client.connect();
      await client.query(`DROP TABLE ${table}`);
      await client.end();
    }
  }

  it.each([
    ["it cannot record the purge, the last thing it does", "purges", "store"],
    ["it fails among the casework deletions, after the plans went", "notes", "casework"],
  ] as const)("removes nothing, terms or casework, when %s: one transaction", async (_, table, file) => {
    const db = await storeWithHistory(`purge-fails-${table}`);
    await drop(db, table, file);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await main(["node", "ewis", "purge", "--db", db, "--before", "2027", "--confirm"], quiet)).not.toBe(0);
    } finally {
      errors.mockRestore();
    }
    const stores = await openStores(db);
    try {
      expect((await stores.terms.listTerms()).map((t) => t.school_year)).toEqual([2026, 2027]);
      const spring = (await stores.terms.findTerm(2026, "spring"))!;
      expect((await stores.terms.riskList(spring.id, {}, { all: true }, { limit: 1 })).length).toBe(1);
      // The ended plan of 2025 and its history are still there, with the two others.
      const plans = await stores.casework.plansOf(["S1"]);
      expect(plans.map((p) => p.starts_on)).toEqual(["2026-10-05", "2025-02-03", "2025-01-06"]);
      expect((await stores.casework.eventsOf(plans[2].id)).map((e) => e.kind)).toEqual(["assigned", "ended"]);
      if (table !== "notes") expect((await stores.casework.notesOf("S1", ["general"])).length).toBe(2);
    } finally {
      await stores.close();
    }
  }, 120_000);
});
