import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { countScores, scoredBatches } from "../../../src/app/termScoring.ts";
import { RollupAccumulator, rollupTables, TermScorer, type StudentScore } from "../../../src/core/index.ts";
import { loadModels } from "../../../src/io/modelFiles.ts";
import { readHistory } from "../../../src/io/readHistory.ts";

const root = join(import.meta.dirname, "..", "..", "..");

describe("a term's scoring", () => {
  it("counts, unexplained, exactly the rollups the published scores make", async () => {
    const { table } = await readHistory(join(root, "fixtures", "state-small.csv"));
    const models = await loadModels(join(root, "models"));
    const job = { table, schoolYear: 2025, models };

    const published = new RollupAccumulator();
    const batches = scoredBatches(job, published);
    let next = batches.next();
    let scores = 0;
    while (!next.done) {
      const { scores: batch, owners } = next.value;
      scores += batch.length;
      // Each score's owner is its student's number in the table.
      batch.forEach((s, i) => expect(table.chunk.students[owners[i]]).toBe(s.student_id));
      next = batches.next();
    }
    expect(scores).toBeGreaterThan(1000);

    const counted = new RollupAccumulator();
    expect(countScores(job, counted)).toEqual(next.value);
    expect(counted.counts()).toEqual(published.counts());
    expect(rollupTables(counted.counts(), 10)).toEqual(rollupTables(published.counts(), 10));
  });

  it("scores the same risk and tier without drivers as with them", async () => {
    const { table } = await readHistory(join(root, "fixtures", "state-small.csv"));
    const models = await loadModels(join(root, "models"));
    const collect = (explain: boolean) => {
      const out: StudentScore[] = [];
      const scorer = new TermScorer(2025, models, { explain });
      for (const h of table.histories()) scorer.score(h, (s) => out.push(s));
      return out;
    };
    const explained = collect(true);
    const unexplained = collect(false);
    expect(unexplained.map((s) => [s.student_id, s.milestone, s.risk, s.tier])).toEqual(explained.map((s) => [s.student_id, s.milestone, s.risk, s.tier]));
    expect(explained.some((s) => s.drivers.length > 0)).toBe(true);
    expect(unexplained.every((s) => s.drivers.length === 0)).toBe(true);
  });
});
