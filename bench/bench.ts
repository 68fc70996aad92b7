// `npm run bench [-- --students N] [--size N] [--only read|score|fit|term|api] [--seed S]`:
// times each stage of the main job on synthetic states and prints one JSON object.
// --students sizes the in-process pipeline (default 40 000), --size the term run and the API
// store (default 100 000). Targets live here, never in tests.
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { execFile } from "node:child_process";
import { parseArgs, promisify } from "node:util";
import { buildTrainingSets, scoreTerm } from "../src/core/index.ts";
import { writeStreamAtomic } from "../src/io/atomicWrite.ts";
import { readHistory } from "../src/io/readHistory.ts";
import { writeScores } from "../src/io/scoresFile.ts";
import { DEFAULT_L2, trainModels } from "../training/trainAll.ts";
import { writeSyntheticState } from "../fixtures/synthetic/generate.ts";
import { benchApiLatency } from "./apiLatency.ts";
import { benchLargeFit } from "./fitLarge.ts";

const { values } = parseArgs({
  options: {
    students: { type: "string", default: "40000" },
    size: { type: "string", default: "100000" },
    seed: { type: "string", default: "1" },
    only: { type: "string" },
  },
});
const students = Number(values.students);
const size = Number(values.size);
if (values.only !== undefined && !["read", "score", "fit", "term", "api"].includes(values.only)) {
  throw new Error(`--only takes read, score, fit, term or api, not "${values.only}"`);
}

async function timed<T>(run: () => T | Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await run();
  return { result, seconds: (performance.now() - started) / 1000 };
}

const rate = (count: number, seconds: number) => Math.round(count / seconds);
const run = promisify(execFile);

/**
 * A whole `ewis run-term` in its own process, so its peak memory is its own: read, score,
 * rollups and the SQLite publish, on a state of `students` with the shipped models.
 */
async function benchTermRun(dir: string, students: number) {
  const history = join(dir, "term-state.csv");
  await writeStreamAtomic(history, (out) => writeSyntheticState({ students, seed: 2 }, out));
  const bin = join(import.meta.dirname, "..", "bin", "ewis.js");
  const models = join(import.meta.dirname, "..", "models");
  const { stdout } = await run("node", [bin, "run-term", "--history", history, "--year", "2027", "--term", "fall", "--models", models, "--db", join(dir, "bench.db")]);
  const summary = /done in ([\d.]+) s \((\d+) rows\/s\), peak memory (\d+) MB/.exec(stdout);
  const rows = /(\d+) rows read/.exec(stdout);
  if (!summary || !rows) throw new Error(`run-term printed no summary:\n${stdout}`);
  const stages = Object.fromEntries([...stdout.matchAll(/^(\w+): done in ([\d.]+) s$/gm)].map((m) => [m[1], Number(m[2])]));
  return { students, rows: Number(rows[1]), seconds: Number(summary[1]), rowsPerSecond: Number(summary[2]), peakMemoryMB: Number(summary[3]), stageSeconds: stages };
}

const dir = await mkdtemp(join(tmpdir(), "ewis-bench-"));
const wants = (part: string) => values.only === undefined || values.only === part;
try {
  const figures: Record<string, unknown> = {};
  if (wants("read") || wants("score")) figures.pipeline = await benchPipeline(dir);
  if (wants("term") || wants("api")) figures.termRun = await benchTermRun(dir, size);
  if (wants("api")) figures.api = await benchApiLatency(join(dir, "bench.db"));
  if (wants("fit")) figures.largeFit = benchLargeFit();
  const pipeline = figures.pipeline as Awaited<ReturnType<typeof benchPipeline>> | undefined;
  const termRun = figures.termRun as Awaited<ReturnType<typeof benchTermRun>> | undefined;
  const api = figures.api as Awaited<ReturnType<typeof benchApiLatency>> | undefined;
  const largeFit = figures.largeFit as ReturnType<typeof benchLargeFit> | undefined;
  console.log(
    JSON.stringify(
      {
        // The keys issue 6 compares runs by; the term run and the API use the --size state.
        students: termRun?.students ?? pipeline?.state.students,
        read_rows_per_s: pipeline?.read.rowsPerSecond,
        score_rows_per_s: pipeline?.score.rowsPerSecond,
        term_run_s: termRun?.seconds,
        term_run_peak_rss_mb: termRun?.peakMemoryMB,
        api_school_list_p99_ms: api?.schoolRiskList.p99ms,
        fit_1m_x25_s: largeFit?.fit_1m_x25_s,
        machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
        ...figures,
      },
      null,
      2,
    ),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** generate → read → features → fit the models → score → write, in this process, on --students. */
async function benchPipeline(dir: string) {
  const file = join(dir, "state.csv");
  const generate = await timed(() => writeStreamAtomic(file, (out) => writeSyntheticState({ students, seed: Number(values.seed) }, out)));
  const read = await timed(() => readHistory(file));
  const { table } = read.result;
  const rows = { length: table.rowCount };
  const lastYear = table.lastYear;
  const features = await timed(() => buildTrainingSets([...table.histories()], lastYear));
  const examples = [...features.result.values()].reduce((sum, set) => sum + set.n, 0);
  const train = await timed(() => trainModels(features.result, { l2: DEFAULT_L2, ewisVersion: "bench", data: { sha256: read.result.sha256, rows: rows.length } }));
  const score = await timed(() => scoreTerm(table.histories(), lastYear, train.result.models));
  const write = await timed(() => writeScores(join(dir, "scores.csv"), score.result.scores));
  return {
    state: { students, rows: rows.length, trainingExamples: examples, models: train.result.models.length, scoredYear: lastYear },
    generate: { seconds: generate.seconds, rowsPerSecond: rate(rows.length, generate.seconds) },
    read: { seconds: read.seconds, rowsPerSecond: rate(rows.length, read.seconds) },
    features: { seconds: features.seconds, examplesPerSecond: rate(examples, features.seconds) },
    fit: { seconds: train.seconds, examplesPerSecond: rate(examples, train.seconds), note: "every model is fitted twice: on the earlier cohorts for validation, then on all" },
    score: { seconds: score.seconds, studentsPerSecond: rate(score.result.studentsEnrolled, score.seconds), rowsPerSecond: rate(score.result.scores.length, score.seconds), scores: score.result.scores.length },
    writeScores: { seconds: write.seconds, rowsPerSecond: rate(score.result.scores.length, write.seconds) },
  };
}
