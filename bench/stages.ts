import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startPostgres } from "../test/support/postgresServer.ts";
import { cachedState } from "./benchState.ts";
import { stageChart, type StageRun } from "./stageChart.ts";
import { benchTermRun } from "./termRun.ts";

/** Issue 17's goals for the 1,000,000-student term run. */
const GOALS = { sqlite: 30, postgres: 45 } as const;

/**
 * `npm run bench -- --only stages [--sizes 10000,100000,1000000]`: the term run at each size, on
 * each store asked for (a fresh SQLite file and a fresh PostgreSQL cluster per run), its stage
 * times as JSON and as the chart `bench/stages.svg`, which the README shows.
 */
export async function benchStages(sizes: readonly number[], seed: number, stores: readonly StageRun["store"][], dir: string, chartFile: string) {
  const runs: (StageRun & { peakMemoryMB: number; scores: number })[] = [];
  for (const students of sizes) {
    const file = await cachedState(students, seed);
    for (const store of stores) {
      const server = store === "postgres" ? await startPostgres({ durable: true }) : undefined;
      try {
        const run = await benchTermRun(file, server?.url ?? join(dir, `stages-${students}.db`));
        runs.push({ store, students, seconds: run.seconds, stageSeconds: run.stageSeconds, peakMemoryMB: run.peakMemoryMB, scores: run.scores });
      } finally {
        await server?.stop();
      }
    }
  }
  const largest = Math.max(...sizes);
  const targets = largest >= 1_000_000 ? stores.map((store) => ({ store, students: 1_000_000, seconds: GOALS[store] })) : [];
  const day = new Date().toISOString().slice(0, 10);
  await writeFile(chartFile, stageChart(runs, { title: `ewis run-term, stage by stage (npm run bench -- --only stages, ${day})`, targets }));
  return { chart: chartFile, runs };
}
