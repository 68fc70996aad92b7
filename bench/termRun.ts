import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { CURRENT_YEAR } from "./benchState.ts";

const run = promisify(execFile);
export const TERM_HEAP_MB = 1024;

/** A whole `ewis run-term` in its own process, so its peak memory is its own. */
export async function benchTermRun(file: string, db: string) {
  const bin = join(import.meta.dirname, "..", "bin", "ewis.js");
  const models = join(import.meta.dirname, "..", "models");
  // The heap limit the README recommends for a state: without it V8 lets garbage reach ~2 GB before collecting.
  const { stdout } = await run("node", [`--max-old-space-size=${TERM_HEAP_MB}`, bin, "run-term", "--history", file, "--year", String(CURRENT_YEAR), "--term", "fall", "--models", models, "--db", db], {
    maxBuffer: 1 << 24,
  });
  const summary = /done in ([\d.]+) s \((\d+) rows\/s\), peak memory (\d+) MB/.exec(stdout);
  const rows = /(\d+) rows read/.exec(stdout);
  const students = /(\d+) of (\d+) students scored, (\d+) scores/.exec(stdout);
  if (!summary || !rows || !students) throw new Error(`run-term printed no summary:\n${stdout}`);
  const stages = Object.fromEntries([...stdout.matchAll(/^(\w+): done in ([\d.]+) s$/gm)].map((m) => [m[1], Number(m[2])]));
  return {
    suppression: suppressionFigures(stdout),
    rows: Number(rows[1]),
    studentsEnrolled: Number(students[2]),
    scores: Number(students[3]),
    seconds: Number(summary[1]),
    peakMemoryMB: Number(summary[3]),
    stageSeconds: stages,
    nodeHeapLimitMB: TERM_HEAP_MB,
  };
}

/** The term run's lines on what suppression hides (`suppressionLossLine`), per scope, as numbers. */
function suppressionFigures(stdout: string) {
  const line =
    /^hidden in (\w+) rollups: ([\d.]+) % of counts small \(([\d.]+) % of students counted\), ([\d.]+) % protecting them \(([\d.]+) %\); (\d+) of (\d+) groups of \d+\+ hide their size; groups of 100\+ hide (\d+) of (\d+) tier counts beyond one complement$/gm;
  return Object.fromEntries(
    [...stdout.matchAll(line)].map((m) => [
      m[1],
      {
        small_counts_pct: Number(m[2]),
        small_students_pct: Number(m[3]),
        protecting_counts_pct: Number(m[4]),
        protecting_students_pct: Number(m[5]),
        sizes_hidden: Number(m[6]),
        groups_at_threshold: Number(m[7]),
        large_group_tier_counts_beyond: Number(m[8]),
        large_group_tier_counts: Number(m[9]),
      },
    ]),
  );
}

