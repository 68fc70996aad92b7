/**
 * A term's scoring on two worker threads, so the publishing thread only writes: scoring,
 * building each published score and rolling it up take about as long as writing it to the
 * store, and on one thread the two add up. Same core code as `scoreHere`
 * (src/app/termScoring.ts), so the same scores in the same order, and the same rollups.
 *
 * One worker scores for the writer: batches come back as columns (scoreBatch.ts), at most
 * `ahead` in front of the writer, so a slow store holds it back instead of filling memory. The
 * other scores the same students again for the rollups only, counts them and suppresses them,
 * all while the writer writes: suppression needs every score counted, so after a single
 * scoring it could only start once the last batch was made, and a state's took ~9 s after the
 * writes. Scoring twice costs CPU, which on two cores slows the writer somewhat (README,
 * "State scale"), less than suppression after the writes cost. The suppressed rollups come
 * back as counts and masks; the cells are made here, in the same order.
 *
 * The history goes to each worker as it is, less its student ids: its columns are shared, not
 * copied, when they live on a SharedArrayBuffer (readHistory's joined chunks do), copied
 * otherwise; its few small dictionaries (districts, schools, dates) are copied. A score's student
 * comes back by number (`owners`), named here: a state's million ids copied to each worker, then
 * interned by it and sent back as text, cost ~250 MB of the run's peak.
 */
import { Worker } from "node:worker_threads";
import {
  EwisError,
  rollupCells,
  rollupGroups,
  type EwisErrorCode,
  type HistoryChunk,
  type RiskModel,
  type RollupCounts,
  type SuppressionLoss,
  type TermSummary,
} from "../core/index.ts";
import { scoreHere, type ScoredBatch, type ScoreTerm } from "../app/termScoring.ts";
import { ScoreDecoder, type EncodedScores } from "./scoreBatch.ts";

/** Control words: how many more batches the "batches" worker may send before the writer takes one; set to stop. */
export const AHEAD = 0;
export const STOP = 1;

export interface ScoringWorkerData {
  role: "batches" | "rollups";
  /** Without its student ids: the writer names each score's student from its own copy. */
  chunk: HistoryChunk;
  /** Students in the history. */
  students: number;
  schoolYear: number;
  models: readonly RiskModel[];
  minCell: number;
  control: Int32Array;
}

export type ScoringMessage =
  | { kind: "batch"; batch: EncodedScores; students: number }
  | { kind: "scored"; summary: TermSummary }
  | { kind: "rollups"; summary: TermSummary; counts: RollupCounts; hidden: Uint8Array; small: Uint8Array; loss: SuppressionLoss[] }
  | { kind: "error"; message: string; code?: EwisErrorCode };

export interface WorkerScoringOptions {
  /** Terms with fewer students are scored on the calling thread: starting a worker costs ~0.1–1 s. Default 20 000. */
  minStudents?: number;
  /** Batches the "batches" worker may run ahead of the writer (default 8, ≈ 10 MB). */
  ahead?: number;
}

/** A ScoreTerm that scores large terms on two worker threads, and small ones here. */
export function scoreOnWorker(options: WorkerScoringOptions = {}): ScoreTerm {
  const minStudents = options.minStudents ?? 20_000;
  const ahead = options.ahead ?? 8;
  // With no room ahead the worker would wait for a batch the writer can never take.
  if (!Number.isInteger(ahead) || ahead < 1) throw new RangeError(`ahead must be a whole number of batches ≥ 1 (got ${ahead})`);
  return (job) => {
    if (job.table.studentCount < minStudents) return scoreHere(job);
    const control = new Int32Array(new SharedArrayBuffer(8));
    control[AHEAD] = ahead;
    const start = (role: ScoringWorkerData["role"]) => {
      const { chunk } = job.table;
      const workerData: ScoringWorkerData = { role, chunk: { ...chunk, students: [] }, students: chunk.students.length, schoolYear: job.schoolYear, models: job.models, minCell: job.minCell, control };
      // execArgv: [] so that a parent under the tsx CLI does not hand its loader flags down:
      // scoringWorker.mjs registers tsx itself when it runs from the sources.
      const worker = new Worker(new URL("./scoringWorker.mjs", import.meta.url), { workerData, execArgv: [] });
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      return { worker, messages: new MessageQueue(worker), exited };
    };
    const scorer = start("batches");
    const roller = start("rollups");
    const decoder = new ScoreDecoder(job.table.chunk.students);
    let summary: TermSummary | undefined;
    let rolled: Promise<Extract<ScoringMessage, { kind: "rollups" }>> | undefined;
    const rollupsMessage = () =>
      (rolled ??= roller.messages.next().then((message) => {
        if (message.kind === "rollups") return message;
        throw failure(message);
      }));
    // A worker that has sent its last message ends by itself; one stopped midway is told to stop
    // and terminated.
    const stop = async () => {
      Atomics.store(control, STOP, 1);
      Atomics.notify(control, AHEAD);
      await Promise.all([scorer.worker.terminate(), roller.worker.terminate()]);
      await Promise.all([scorer.exited, roller.exited]);
    };
    return {
      async *batches(): AsyncGenerator<ScoredBatch> {
        for (;;) {
          const message = await scorer.messages.next();
          if (message.kind === "scored") {
            summary = message.summary;
            return;
          }
          if (message.kind !== "batch") throw failure(message);
          // The rollups worker failing (out of memory, say) fails the run now, not once the whole term is written.
          const rollupsFailure = roller.messages.failed();
          if (rollupsFailure) throw rollupsFailure;
          const scores = decoder.decode(message.batch);
          Atomics.add(control, AHEAD, 1);
          Atomics.notify(control, AHEAD);
          yield { scores, students: message.students };
        }
      },
      summary() {
        if (!summary) throw new Error("summary() before the last batch");
        return summary;
      },
      async rollups() {
        if (!summary) throw new Error("rollups() before the last batch");
        const { counts, hidden, small, loss } = await rollupsMessage();
        return { cells: rollupCells(rollupGroups(counts), hidden, small), loss };
      },
      stop,
    };
  };
}

/** A worker's error as the error to throw; any other message out of place is a bug. */
function failure(message: ScoringMessage): Error {
  if (message.kind !== "error") return new Error(`the scoring worker sent a ${message.kind} message out of turn`);
  return message.code ? new EwisError(message.code, message.message) : new Error(message.message);
}

/** The worker's messages in order, awaited one at a time; a crash or an early exit is an error. */
export class MessageQueue {
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

  /** Without waiting: the error the worker has failed with, if it has, and nothing else waits before it. */
  failed(): Error | undefined {
    const first = this.waiting[0];
    if (first !== undefined) return first.kind === "error" ? failure(first) : undefined;
    return this.failure;
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
