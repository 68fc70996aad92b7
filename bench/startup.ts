import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freshBuild } from "../bin/freshBuild.js";
import { round } from "./figures.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");
/** Issue 17's target for both commands. */
const TARGET_S = 0.4;

/** Wall seconds of one run of `node bin/ewis.js …`. */
async function timed(args: string[]): Promise<number> {
  const start = performance.now();
  await run(process.execPath, [join(root, "bin", "ewis.js"), ...args]);
  return (performance.now() - start) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Start-up as a person meets it: `ewis --help`, and `ewis score` of a 300-row history with the
 * shipped models, each run `runs` times as a new process. Says whether the compiled build was
 * fresh (`npm run build`): without it both run through tsx.
 */
export async function benchStartup(runs = 5) {
  const work = await mkdtemp(join(tmpdir(), "ewis-startup-"));
  try {
    const lines = (await readFile(join(root, "fixtures", "state-small.csv"), "utf8")).split("\n");
    const history = join(work, "small.csv");
    await writeFile(history, `${lines.slice(0, 301).join("\n")}\n`);
    const help: number[] = [];
    const score: number[] = [];
    for (let i = 0; i < runs; i++) {
      help.push(await timed(["--help"]));
      score.push(await timed(["score", "--history", history, "--year", "2027", "--models", join(root, "models"), "--out", join(work, "scores.csv")]));
    }
    return {
      compiled: freshBuild(root),
      runs,
      help_s: { median: round(median(help)), min: round(Math.min(...help)), max: round(Math.max(...help)) },
      score_300_rows_s: { median: round(median(score)), min: round(Math.min(...score)), max: round(Math.max(...score)) },
      target_s: TARGET_S,
      met: median(help) <= TARGET_S && median(score) <= TARGET_S,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
