import { parentPort, workerData } from "node:worker_threads";
import { EwisError, HistoryTable, RollupAccumulator, rollupGroups, suppressRollups } from "../core/index.ts";
import { countScores, scoredBatches } from "../app/termScoring.ts";
import { ScoreEncoder, transferables } from "./scoreBatch.ts";
import { AHEAD, STOP, type ScoringMessage, type ScoringWorkerData } from "./scoringWorkers.ts";

// One term's scoring, in one of two roles. "batches": every batch to the parent as soon as the
// parent has room for it, then the summary. "rollups": the same students scored unexplained,
// counted and suppressed while the parent writes the other worker's batches; then the counts
// and masks.
const { chunk, students, schoolYear, models, control, role, minCell } = workerData as ScoringWorkerData;
const post = (message: ScoringMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
// Without the ids (see scoringWorkers.ts): every student is named "" here, and by the writer.
const table = new HistoryTable({ ...chunk, students: new Array<string>(students).fill("") });
try {
  if (role === "rollups") {
    const rollups = new RollupAccumulator();
    const summary = countScores({ table, schoolYear, models }, rollups);
    // Its order of the rows goes before suppression, which runs beside the writes at the run's peak.
    table.release();
    const counts = rollups.counts();
    const { hidden, small, loss } = suppressRollups(rollupGroups(counts), minCell);
    post({ kind: "rollups", summary, counts, hidden, small, loss }, [...[...counts.tallies.values()].map((t) => t.buffer as ArrayBuffer), hidden.buffer as ArrayBuffer, small.buffer as ArrayBuffer]);
  } else {
    const encoder = new ScoreEncoder();
    const scoring = scoredBatches({ table, schoolYear, models });
    let next = scoring.next();
    while (!next.done) {
      // The parent hands a batch's room back once it has taken the batch: this thread runs at most
      // AHEAD batches ahead of the writes, so a slow store never fills memory with waiting scores.
      while (Atomics.load(control, AHEAD) <= 0 && Atomics.load(control, STOP) === 0) Atomics.wait(control, AHEAD, 0, 1000);
      if (Atomics.load(control, STOP) !== 0) process.exit(0);
      Atomics.sub(control, AHEAD, 1);
      const batch = encoder.encode(next.value.scores, next.value.owners);
      post({ kind: "batch", batch, students: next.value.students }, transferables(batch));
      next = scoring.next();
    }
    post({ kind: "scored", summary: next.value });
  }
} catch (error) {
  post({ kind: "error", message: String((error as Error)?.message ?? error), code: error instanceof EwisError ? error.code : undefined });
}
