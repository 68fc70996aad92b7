/**
 * A term's scoring on a worker thread, so the publishing thread only writes: scoring, building
 * each published score and rolling it up take about as long as writing it to the store, and on
 * one thread the two add up. Same core code as `scoreHere` (src/app/termScoring.ts), so the
 * same scores in the same order, and the same rollups.
 *
 * The history goes to the worker as it is: its columns are shared, not copied, when they live
 * on a SharedArrayBuffer (readHistory's joined chunks do), copied otherwise; its few
 * dictionaries of ids are copied. Batches come back as columns (scoreBatch.ts). The worker runs
 * at most `ahead` batches in front of the writer, so a slow store holds it back instead of
 * filling memory. The worker counts the rollups as it scores and hands the counts back with
 * its summary; their suppression runs here, after the worker has ended and freed its memory.
 */
import { Worker } from "node:worker_threads";
import { EwisError, rollupTables, type EwisErrorCode, type HistoryChunk, type RiskModel, type RollupCounts, type TermSummary } from "../core/index.ts";
import { scoreHere, type ScoredBatch, type ScoreTerm } from "../app/termScoring.ts";
import { ScoreDecoder, type EncodedScores } from "./scoreBatch.ts";

/** Control words: batches the worker may still send before the writer takes one; set to stop. */
export const AHEAD = 0;
export const STOP = 1;

export interface ScoringWorkerData {
  chunk: HistoryChunk;
  schoolYear: number;
  models: readonly RiskModel[];
  control: Int32Array;
}

export type ScoringMessage =
  | { kind: "batch"; batch: EncodedScores; students: number }
  | { kind: "scored"; summary: TermSummary; counts: RollupCounts }
  | { kind: "error"; message: string; code?: EwisErrorCode };

export interface WorkerScoringOptions {
  /** Terms with fewer students are scored on the calling thread: starting a worker costs ~0.1–1 s. Default 20 000. */
  minStudents?: number;
  /** Batches the worker may run ahead of the writer (default 8, ≈ 10 MB). */
  ahead?: number;
}

/** A ScoreTerm that scores large terms on a worker thread, and small ones here. */
export function scoreOnWorker(options: WorkerScoringOptions = {}): ScoreTerm {
  const minStudents = options.minStudents ?? 20_000;
  const ahead = options.ahead ?? 8;
  // With no room ahead the worker would wait for a batch the writer can never take.
  if (!Number.isInteger(ahead) || ahead < 1) throw new RangeError(`ahead must be a whole number of batches ≥ 1 (got ${ahead})`);
  return (job) => {
    if (job.table.studentCount < minStudents) return scoreHere(job);
    const control = new Int32Array(new SharedArrayBuffer(8));
    control[AHEAD] = ahead;
    const workerData: ScoringWorkerData = { chunk: job.table.chunk, schoolYear: job.schoolYear, models: job.models, control };
    // execArgv: [] so that a parent under the tsx CLI does not hand its loader flags down:
    // scoringWorker.mjs registers tsx itself when it runs from the sources.
    const worker = new Worker(new URL("./scoringWorker.mjs", import.meta.url), { workerData, execArgv: [] });
    const messages = new MessageQueue(worker);
    const decoder = new ScoreDecoder();
    let scored: { summary: TermSummary; counts: RollupCounts } | undefined;
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    // A worker that has sent its counts ends by itself; one stopped midway is told to stop and
    // terminated.
    const stop = async () => {
      if (!scored) {
        Atomics.store(control, STOP, 1);
        Atomics.notify(control, AHEAD);
        await worker.terminate();
      }
      await exited;
    };
    return {
      async *batches(): AsyncGenerator<ScoredBatch> {
        for (;;) {
          const message = await messages.next();
          if (message.kind === "error") throw message.code ? new EwisError(message.code, message.message) : new Error(message.message);
          if (message.kind === "scored") {
            scored = message;
            return;
          }
          const scores = decoder.decode(message.batch);
          Atomics.add(control, AHEAD, 1);
          Atomics.notify(control, AHEAD);
          yield { scores, students: message.students };
        }
      },
      summary() {
        if (!scored) throw new Error("summary() before the last batch");
        return scored.summary;
      },
      async rollups() {
        if (!scored) throw new Error("rollups() before the last batch");
        const { cells, loss } = rollupTables(scored.counts, job.minCell);
        return { cells, loss };
      },
      stop,
    };
  };
}

/** The worker's messages in order, awaited one at a time; a crash or an early exit is an error. */
class MessageQueue {
  private readonly waiting: ScoringMessage[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(worker: Worker) {
    worker.on("message", (message: ScoringMessage) => {
      this.waiting.push(message);
      this.wake?.();
    });
    worker.on("error", (error: Error) => this.fail(error));
    worker.on("exit", (code) => this.fail(new Error(`the scoring worker stopped before it finished (exit ${code})`)));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  async next(): Promise<ScoringMessage> {
    for (;;) {
      const message = this.waiting.shift();
      if (message) return message;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
