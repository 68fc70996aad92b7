// `npm run bench [-- --students N --seed S]`: generates a synthetic state and times each stage
// of the main job on it, printing one JSON object. Targets live here, never in tests.
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { parseArgs } from "node:util";
import { buildTrainingSets, groupHistories, lastSchoolYear, scoreTerm } from "../src/core/index.ts";
import { writeStreamAtomic } from "../src/io/atomicWrite.ts";
import { readHistory } from "../src/io/readHistory.ts";
import { writeScores } from "../src/io/scoresFile.ts";
import { DEFAULT_L2, trainModels } from "../training/trainAll.ts";
import { writeSyntheticState } from "../fixtures/synthetic/generate.ts";

const { values } = parseArgs({ options: { students: { type: "string", default: "40000" }, seed: { type: "string", default: "1" } } });
const students = Number(values.students);

async function timed<T>(run: () => T | Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await run();
  return { result, seconds: (performance.now() - started) / 1000 };
}

const rate = (count: number, seconds: number) => Math.round(count / seconds);

const dir = await mkdtemp(join(tmpdir(), "ewis-bench-"));
try {
  const file = join(dir, "state.csv");
  const generate = await timed(() => writeStreamAtomic(file, (out) => writeSyntheticState({ students, seed: Number(values.seed) }, out)));
  const read = await timed(() => readHistory(file));
  const rows = read.result.rows;
  const lastYear = lastSchoolYear(rows);
  const features = await timed(() => buildTrainingSets(groupHistories(rows), lastYear));
  const examples = [...features.result.values()].reduce((sum, set) => sum + set.n, 0);
  const train = await timed(() => trainModels(features.result, { l2: DEFAULT_L2, ewisVersion: "bench", data: { sha256: read.result.sha256, rows: rows.length } }));
  const score = await timed(() => scoreTerm(groupHistories(rows), lastYear, train.result.models));
  const write = await timed(() => writeScores(join(dir, "scores.csv"), score.result.scores));
  console.log(
    JSON.stringify(
      {
        machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
        state: { students, rows: rows.length, trainingExamples: examples, models: train.result.models.length, scoredYear: lastYear },
        generate: { seconds: generate.seconds, rowsPerSecond: rate(rows.length, generate.seconds) },
        read: { seconds: read.seconds, rowsPerSecond: rate(rows.length, read.seconds) },
        features: { seconds: features.seconds, examplesPerSecond: rate(examples, features.seconds) },
        fit: { seconds: train.seconds, examplesPerSecond: rate(examples, train.seconds), note: "every model is fitted twice: on the earlier cohorts for validation, then on all" },
        score: { seconds: score.seconds, studentsPerSecond: rate(score.result.studentsEnrolled, score.seconds), scores: score.result.scores.length },
        writeScores: { seconds: write.seconds, rowsPerSecond: rate(score.result.scores.length, write.seconds) },
      },
      null,
      2,
    ),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
