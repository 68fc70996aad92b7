import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { publishScores } from "../../src/app/publishTerm.ts";
import { computeRollups, indicatorCount, publicationOf, type StudentScore } from "../../src/core/index.ts";
import { main } from "../../src/cli/main.ts";
import { withStores } from "../../src/store/openStores.ts";
import { openSqliteStores } from "../../src/store/sqlite/sqliteStores.ts";
import { storeKinds, storeMaker } from "../support/storeKinds.ts";
import { Random } from "../../fixtures/synthetic/random.ts";
import { soak } from "../support/soak.ts";
import { recoverableCells, smallVisibleCounts, solvableCells, solvableWithZeros } from "../support/privacyAttack.ts";

const root = join(import.meta.dirname, "..", "..");
const smallState = join(root, "fixtures", "state-small.csv");
const models = join(root, "models");
const quiet = () => {};
let work: string;
let db: string;

const runTerm = (year: string, term: string, dbFile = db, history = smallState) =>
  main(["node", "ewis", "run-term", "--history", history, "--year", year, "--term", term, "--models", models, "--db", dbFile], quiet);

const dumpRollups = async (year: string, term: string, out: string, dbFile = db) => {
  expect(await main(["node", "ewis", "rollups", "--db", dbFile, "--year", year, "--term", term, "--out", out], quiet)).toBe(0);
  return readFile(out, "utf8");
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ewis-term-"));
  db = join(work, "ewis.db");
  expect(await runTerm("2026", "spring")).toBe(0);
  expect(await runTerm("2027", "fall")).toBe(0);
});

describe("ewis run-term", () => {
  it("never publishes a count from fewer than 10 students, nor one recoverable from totals", async () => {
    await withStores(db, {}, async ({ terms }) => {
      for (const term of await terms.listTerms()) {
        const cells = await terms.rollups(term.id);
        expect(cells.length).toBeGreaterThan(1000);
        expect(smallVisibleCounts(cells, 10)).toEqual([]);
        expect(recoverableCells(cells)).toEqual([]);
        expect(solvableCells(cells)).toEqual([]);
        expect(solvableWithZeros(cells, computeRollups(await terms.riskList(term.id), 1))).toEqual([]);
        expect(cells.filter((c) => c.suppressed.length > 0).length).toBeGreaterThan(0);
        for (const c of cells) if (c.n === null) expect(c.mean_risk).toBeNull();
      }
    });
  });

  it("says what suppression hides, per scope, and measures it again the same from the store", async () => {
    const printed: string[] = [];
    const args = ["node", "ewis", "run-term", "--history", smallState, "--year", "2027", "--term", "fall", "--models", models, "--db", db];
    expect(await main(args, (line) => printed.push(line))).toBe(0);
    const run = printed.filter((line) => line.startsWith("hidden in "));
    expect(run.map((line) => line.split(" ")[2])).toEqual(["state", "district", "school"]);
    const measured: string[] = [];
    expect(await main(["node", "ewis", "suppression", "--db", db, "--year", "2027", "--term", "fall"], (line) => measured.push(line))).toBe(0);
    expect(measured).toEqual(run);
    // The figures agree with the published cells themselves.
    await withStores(db, {}, async ({ terms }) => {
      const term = (await terms.findTerm(2027, "fall"))!;
      const schools = await terms.rollups(term.id, { scope: "school" });
      const counts = schools.length * 4;
      const small = schools.reduce((a, c) => a + (c.suppressed_small?.length ?? 0), 0);
      const protecting = schools.reduce((a, c) => a + c.suppressed.length - (c.suppressed_small?.length ?? 0), 0);
      const percent = (x: number) => `${((100 * x) / counts).toFixed(1)} %`;
      expect(run[2]).toContain(`${percent(small)} of counts small`);
      expect(run[2]).toContain(`, ${percent(protecting)} protecting them`);
      expect(protecting).toBeGreaterThan(0);
    });
  });

  it("refuses a minimum cell size below the contract's floor of 6", async () => {
    expect(await main(["node", "ewis", "run-term", "--history", smallState, "--year", "2027", "--term", "x", "--models", models, "--db", db, "--min-cell", "5"], quiet)).toBe(2);
  });
});

describe("indicators stored by an older ewis", () => {
  it("are read from a term's JSON text as well as from this version's blobs", async () => {
    const file = join(work, "indicators.db");
    const stores = openSqliteStores(file);
    try {
      const scored: StudentScore = {
        student_id: "A", school_year: 2026, district_id: "D1", school_id: "E1", grade: 3, milestone: "early_literacy", risk: 0.1, tier: "low", drivers: [],
        subgroups: { low_income: "1", ell: "0", former_ell: "0", sped: "0", homeless: "0", foster_care: "0", race_ethnicity: "W", gender: "F" },
        indicators: new Float64Array(indicatorCount).fill(0.5), prior: null, scoredWith: null,
      };
      const published = publicationOf([scored], 10);
      const term = { school_year: 2026, label: "fall", started_at: "t", finished_at: "t", rows_read: 0, rows_accepted: 0, rows_rejected: 0, students_enrolled: 0, students_scored: 0, scores: 0, not_scored: {}, models: [], input_sha256: "0", suppression_threshold: 10 };
      const fall = await publishScores(stores.terms, term, published.scores, published.rollups);
      expect(Object.values((await stores.terms.studentDetail(fall.id, "A", { all: true }))!.indicators).every((v) => v === 0.5)).toBe(true);
      // A term published before indicators were stored as blobs holds them as JSON text.
      const raw = new Database(file);
      raw.prepare("UPDATE scores SET indicators = ? WHERE student_id = 'A'").run(JSON.stringify({ attendance_rate: 0.5, ela_recent: null }));
      raw.close();
      expect((await stores.terms.studentDetail(fall.id, "A", { all: true }))?.indicators).toEqual({ attendance_rate: 0.5, ela_recent: null });
    } finally {
      await stores.close();
    }
  });
});
