import { parentPort, workerData } from "node:worker_threads";
import { EwisError, HistoryTable, RollupAccumulator } from "../core/index.ts";
import { scoredBatches } from "../app/termScoring.ts";
import { ScoreEncoder, transferables } from "./scoreBatch.ts";
import { AHEAD, STOP, type ScoringMessage, type ScoringWorkerData } from "./scoringWorkers.ts";

// One term's scoring a worker: every batch to the parent as soon as the parent has room for it,
// then what it counted, and the worker ends.
const { chunk, schoolYear, models, control } = workerData as ScoringWorkerData;
const post = (message: ScoringMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
try {
  const rollups = new RollupAccumulator();
  const encoder = new ScoreEncoder();
  const scoring = scoredBatches({ table: new HistoryTable(chunk), schoolYear, models }, rollups);
  let next = scoring.next();
  while (!next.done) {
    // The parent hands a batch's room back once it has taken the batch: this thread runs at most
    // AHEAD batches ahead of the writes, so a slow store never fills memory with waiting scores.
    while (Atomics.load(control, AHEAD) <= 0 && Atomics.load(control, STOP) === 0) Atomics.wait(control, AHEAD, 0, 1000);
    if (Atomics.load(control, STOP) !== 0) process.exit(0);
    Atomics.sub(control, AHEAD, 1);
    const batch = encoder.encode(next.value.scores);
    post({ kind: "batch", batch, students: next.value.students }, transferables(batch));
    next = scoring.next();
  }
  // The counts, not the suppressed rollups: suppression needs ~500 MB at a state's size, and
  // the writer, idle by then, has room for it once this worker (and its copy of the ids) is gone.
  const counts = rollups.counts();
  post({ kind: "scored", summary: next.value, counts }, [...counts.tallies.values()].map((t) => t.buffer as ArrayBuffer));
} catch (error) {
  post({ kind: "error", message: String((error as Error)?.message ?? error), code: error instanceof EwisError ? error.code : undefined });
}
