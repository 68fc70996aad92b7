/**
 * Worker threads that share a fit's row passes with the calling thread: `pool.accumulator` is
 * a RowAccumulator for fitLogistic that splits the rows into one contiguous range per thread,
 * runs the first range here and the others on the workers, and adds the partial sums up (in a
 * fixed order, so a fit is reproducible; it differs from the single-threaded sums only in
 * rounding, ~1e-16 relative).
 *
 * Why synchronous: fitLogistic (src/core) is pure and synchronous, and the passes are the only
 * part worth spreading. The calling thread works on its own range and then blocks in
 * Atomics.wait for the others (milliseconds to a fraction of a second), so no event loop turn
 * is needed and core needs no async variant. Don't use a pool on a thread that must stay
 * responsive (an HTTP server); train there with the default single-threaded accumulator.
 *
 * Why shared memory only: the workers read x and y in place, which needs them on a
 * SharedArrayBuffer (allocate them there, as bench/fitLarge.ts does). A pass over arrays that
 * are not shared, or over fewer than `minRows` rows, runs entirely on the calling thread:
 * copying a large design to the workers would cost more than the pass.
 *
 * Lifecycle: RowPool.open blocks until every worker has loaded and warmed up (~0.3 s, mostly
 * tsx compiling the worker's TypeScript); close() terminates them. Workers are unref'd, so a
 * pool left open does not keep the process alive.
 *
 * Example:
 *   const pool = RowPool.open({ threads: 2 });
 *   try { fit = fitLogistic({ x, y, n, p, l2: 1, accumulator: pool.accumulator }); }
 *   finally { await pool.close(); }
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { allRows, sumRows, type RowAccumulator, type RowData, type RowSums } from "../core/index.ts";
import { CONTROL_WORDS, DONE, ERROR_LENGTH, MESSAGE_BYTES, READY, type Job, type WorkerData } from "./protocol.ts";

export interface RowPoolOptions {
  /** Threads in all, the calling one included (default: availableParallelism()). 1 = no workers. */
  threads?: number;
  /** Passes over fewer rows run on the calling thread alone (default 50 000). */
  minRows?: number;
  /** How long to wait for a worker to start or to finish a job before giving up (default 120 s). */
  timeoutMs?: number;
}

interface Slot {
  worker: Worker;
  control: Int32Array;
  message: Uint8Array;
  out: Float64Array;
}

function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== "undefined" && a.buffer instanceof SharedArrayBuffer;
}

export class RowPool {
  readonly threads: number;
  readonly minRows: number;
  readonly accumulator: RowAccumulator;
  private readonly slots: Slot[];
  private readonly timeoutMs: number;
  private nextId = 1;
  private closed = false;

  private constructor(slots: Slot[], minRows: number, timeoutMs: number) {
    this.slots = slots;
    this.threads = slots.length + 1;
    this.minRows = minRows;
    this.timeoutMs = timeoutMs;
    this.accumulator = (data, beta, grad, hess) => this.accumulate(data, beta, grad, hess);
  }

  /** Starts threads - 1 workers and blocks until all are ready; throws if one fails to load. */
  static open(options: RowPoolOptions = {}): RowPool {
    const threads = options.threads ?? availableParallelism();
    const minRows = options.minRows ?? 50_000;
    const timeoutMs = options.timeoutMs ?? 120_000;
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a whole number ≥ 1 (got ${threads})`);
    const slots: Slot[] = [];
    for (let t = 1; t < threads; t++) {
      const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
      const message = new Uint8Array(new SharedArrayBuffer(MESSAGE_BYTES));
      const workerData: WorkerData = { control, message };
      // execArgv: [] so that a parent running under the tsx CLI does not hand its loader flags
      // down as well: rowWorker.mjs registers tsx itself, the same way under every parent.
      const worker = new Worker(new URL("./rowWorker.mjs", import.meta.url), { workerData, execArgv: [] });
      worker.unref();
      // Errors surface through the control words; this keeps an uncaught one from crashing the process.
      worker.on("error", () => {});
      slots.push({ worker, control, message, out: new Float64Array(0) });
    }
    const pool = new RowPool(slots, minRows, timeoutMs);
    try {
      for (const slot of slots) {
        const deadline = performance.now() + timeoutMs;
        while (Atomics.load(slot.control, READY) === 0) {
          if (performance.now() > deadline) throw new Error(`a row worker did not start within ${timeoutMs} ms`);
          Atomics.wait(slot.control, READY, 0, 100);
        }
        if (Atomics.load(slot.control, READY) < 0) throw new Error(`a row worker failed to load: ${pool.errorText(slot)}`);
      }
    } catch (error) {
      void pool.close();
      throw error;
    }
    return pool;
  }

  /** Terminates the workers; the accumulator then runs every pass on the calling thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private errorText(slot: Slot): string {
    const length = Atomics.load(slot.control, ERROR_LENGTH);
    return new TextDecoder().decode(slot.message.slice(0, length));
  }

  private accumulate(data: RowData, beta: Float64Array, grad: Float64Array, hess: Float64Array | null): RowSums {
    const { x, y, n, p } = data;
    if (this.closed || this.slots.length === 0 || n < this.minRows || !isShared(x) || !(y instanceof Uint8Array) || !isShared(y)) {
      return allRows(data, beta, grad, hess);
    }
    const k = p + 1;
    const size = k + k * k + 2;
    const per = Math.ceil(n / this.threads);
    const jobs: { slot: Slot; id: number }[] = [];
    this.slots.forEach((slot, t) => {
      const start = Math.min(n, (t + 1) * per);
      const end = Math.min(n, start + per);
      if (start >= end) return;
      if (slot.out.length < size) slot.out = new Float64Array(new SharedArrayBuffer(8 * size));
      const id = this.nextId++;
      Atomics.store(slot.control, ERROR_LENGTH, 0);
      const job: Job = { id, x, y, n, p, beta: Float64Array.from(beta), start, end, hessian: hess !== null, out: slot.out };
      slot.worker.postMessage(job);
      jobs.push({ slot, id });
    });
    grad.fill(0);
    hess?.fill(0);
    const sums = sumRows(data, beta, 0, Math.min(n, per), grad, hess);
    let logLikelihood = sums.logLikelihood;
    let saturated = sums.saturated;
    for (const { slot, id } of jobs) {
      this.waitFor(slot, id);
      const out = slot.out;
      for (let j = 0; j < k; j++) grad[j] += out[j];
      if (hess) {
        for (let a = 0; a < k; a++) {
          for (let b = a; b < k; b++) hess[a * k + b] += out[k + a * k + b];
        }
      }
      logLikelihood += out[k + k * k];
      saturated += out[k + k * k + 1];
    }
    return { logLikelihood, saturated };
  }

  private waitFor(slot: Slot, id: number): void {
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const done = Atomics.load(slot.control, DONE);
      if (done === id) break;
      if (performance.now() > deadline) throw new Error(`a row worker did not finish its pass within ${this.timeoutMs} ms`);
      Atomics.wait(slot.control, DONE, done, 100);
    }
    if (Atomics.load(slot.control, ERROR_LENGTH) > 0) throw new Error(`a row worker failed: ${this.errorText(slot)}`);
  }
}
