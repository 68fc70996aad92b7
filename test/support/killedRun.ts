import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { withStores } from "../../src/store/openStores.ts";
import { Random } from "../../fixtures/synthetic/random.ts";
import { soak } from "./soak.ts";
import { storeMaker, type StoreKind } from "./storeKinds.ts";

/**
 * `run-term` killed (SIGKILL, as the OOM killer or a pulled plug would) at seeded random
 * points, again and again, on one kind of store: after every kill the published terms are
 * intact, and the next run publishes the term whole. One test file per kind, so the two run
 * side by side.
 */
const root = join(import.meta.dirname, "..", "..");
const smallState = join(root, "fixtures", "state-small.csv");
const models = join(root, "models");
const quiet = () => {};

const runTerm = (year: string, term: string, dbFile: string, history = smallState) =>
  main(["node", "ewis", "run-term", "--history", history, "--year", year, "--term", term, "--models", models, "--db", dbFile], quiet);

const dumpRollups = async (year: string, term: string, out: string, dbFile: string) => {
  expect(await main(["node", "ewis", "rollups", "--db", dbFile, "--year", year, "--term", term, "--out", out], quiet)).toBe(0);
  return readFile(out, "utf8");
};

export function killedRunSuite(kind: StoreKind): void {
  describe(`a term run on ${kind} killed at seeded random points`, () => {
    const maker = storeMaker(kind);
    let db = "";
    const killRun = (history: string, env: NodeJS.ProcessEnv, killWhen?: { stage: string; afterMs: number }) => {
      const child = spawn("node", [join(root, "bin", "ewis.js"), "run-term", "--history", history, "--year", "2027", "--term", "winter", "--models", models, "--db", db], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...env },
      });
      let output = "";
      child.stdout.on("data", (chunk) => {
        output += chunk;
        if (killWhen && output.includes(`${killWhen.stage}: started`) && !child.killed) setTimeout(() => child.kill("SIGKILL"), killWhen.afterMs);
      });
      return new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    };

    it("leaves the published terms intact after every kill, and the next run publishes the term whole", async () => {
      const history = join(maker.work, "state-8k.csv");
      expect(await main(["node", "ewis", "generate", "--students", "8000", "--seed", "3", "--out", history], quiet)).toBe(0);
      db = await maker.fresh("killed");
      for (const [year, term] of [["2026", "spring"], ["2027", "fall"]]) expect(await runTerm(year, term, db)).toBe(0);
      // What the winter term must look like when it is there: the same run on an unharmed store
      // (a SQLite file for both kinds: the stores publish byte-identical terms).
      const cleanDb = join(maker.work, "clean.db");
      for (const [year, term] of [["2026", "spring"], ["2027", "fall"]]) expect(await runTerm(year, term, cleanDb)).toBe(0);
      expect(await main(["node", "ewis", "run-term", "--history", history, "--year", "2027", "--term", "winter", "--models", models, "--db", cleanDb], quiet)).toBe(0);
      const winterWhole = await dumpRollups("2027", "winter", join(maker.work, "winter-clean.csv"), cleanDb);
      const fallBefore = await dumpRollups("2027", "fall", join(maker.work, "kill-before.csv"), db);
      const fallScores = async () => {
        const out = join(maker.work, "fall-scores.csv");
        expect(await main(["node", "ewis", "export", "--db", db, "--year", "2027", "--term", "fall", "--out", out], quiet)).toBe(0);
        return readFile(out, "utf8");
      };
      const fallScoresBefore = await fallScores();

      // Half at named points inside the run (every stage, whatever the machine's speed), half
      // timed from outside; the seed fixes the counts and delays, so a failure reproduces.
      const random = new Random(20261123);
      const stages = ["read", "score", "rollups", "publish"];
      let interrupted = 0;
      let afterCommit = 0;
      let winterBefore: string | undefined;
      const kills = soak ? 200 : 14;
      for (let kill = 0; kill < kills; kill++) {
        // Every named point in turn, each once in the first 7 named kills; scoring is most of
        // a run, so the score point comes round twice as often, each time after its own count.
        const named = ["score", "read", "score", "rollups", "commit", "score", "published"];
        const point = kill % 2 === 0 ? named[(kill / 2) % named.length] : undefined;
        const code = point
          ? await killRun(history, { EWIS_KILL_AT: point === "score" ? `score:${random.int(1, 3500)}` : point })
          : await killRun(history, {}, ((stage) => ({ stage, afterMs: random.int(0, stage === "publish" ? 40 : 200) }))(stages[random.int(0, stages.length - 1)]));
        if (code === null) interrupted++;

        if (kind === "sqlite") {
          const check = new Database(db, { readonly: true });
          expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
          check.close();
        }
        const winter = await withStores(db, {}, async ({ terms }) => {
          const found = await terms.findTerm(2027, "winter");
          expect((await terms.listTerms()).map((t) => `${t.school_year} ${t.label}`).slice(0, 2)).toEqual(["2026 spring", "2027 fall"]);
          if (found) expect((await terms.riskList(found.id)).length).toBe(found.scores);
          return found;
        });
        // Killed before its commit, a run leaves the winter term as it found it (absent, or an
        // earlier run's whole); killed after, its own version is there, whole.
        const committed = winter !== undefined && winter.finished_at !== winterBefore;
        if (point) expect(committed, `killed at ${point}`).toBe(point === "published");
        if (committed) afterCommit++;
        if (winter) expect(await dumpRollups("2027", "winter", join(maker.work, "winter-after.csv"), db)).toBe(winterWhole);
        expect(await dumpRollups("2027", "fall", join(maker.work, "kill-after.csv"), db)).toBe(fallBefore);
        expect(await fallScores()).toBe(fallScoresBefore);
        winterBefore = winter?.finished_at;
      }
      // Timed kills in a publish that finishes first miss; most land.
      expect(interrupted).toBeGreaterThanOrEqual(Math.ceil(kills * 0.8));
      expect(afterCommit).toBeGreaterThan(0);
      expect(afterCommit).toBeLessThan(kills);
      console.log(`run-term on ${kind} killed ${interrupted} times in ${kills} tries; ${kills - afterCommit} before the commit (rolled back), ${afterCommit} after it (term whole)`);
      expect(await killRun(history, {})).toBe(0);
      expect(await dumpRollups("2027", "winter", join(maker.work, "winter-after.csv"), db)).toBe(winterWhole);
    }, soak ? 3_600_000 : 240_000);
  });
}
