/**
 * A RowPool worker (see rowPool.ts; rowWorker.mjs loads this file). Runs `sumRows` over the
 * row range of each job it is sent and leaves the sums in the job's shared output buffer:
 * [grad (k) | hess (k², upper triangle) | logLikelihood | saturated], then publishes the job's
 * id in the DONE word and wakes the parent, which is blocked in Atomics.wait.
 */
import { parentPort, workerData } from "node:worker_threads";
// Straight from the kernel's module, not core/index.ts: a worker compiles every file it loads
// (through tsx) and the whole of core doubles its start-up time.
import { sumRows } from "../core/fit/rowPass.ts";
import { DONE, ERROR_LENGTH, READY, type Job, type WorkerData } from "./protocol.ts";

const { control, message } = workerData as WorkerData;

function run(job: Job): void {
  const { x, y, n, p, beta, start, end, hessian, out } = job;
  const k = p + 1;
  out.fill(0);
  const grad = out.subarray(0, k);
  const hess = hessian ? out.subarray(k, k + k * k) : null;
  const sums = sumRows({ x, y, n, p }, beta, start, end, grad, hess);
  out[k + k * k] = sums.logLikelihood;
  out[k + k * k + 1] = sums.saturated;
}

/**
 * The first passes of a fit would otherwise run in the interpreter while the JIT catches up
 * (they are few and long); a small throwaway pass of each kind gets both paths compiled while
 * the parent is still busy with its subsample fit.
 */
function warmUp(): void {
  const n = 4096, p = 9, k = p + 1;
  const x = new Float64Array(new SharedArrayBuffer(8 * n * p));
  const y = new Uint8Array(new SharedArrayBuffer(n));
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 1000) / 500 - 1;
  for (let i = 0; i < n; i++) y[i] = i % 3 === 0 ? 1 : 0;
  const out = new Float64Array(k + k * k + 2);
  const beta = new Float64Array(k).fill(0.1);
  for (let round = 0; round < 4; round++) {
    run({ id: 0, x, y, n, p, beta, start: 0, end: n, hessian: false, out });
    run({ id: 0, x, y, n, p, beta, start: 0, end: n, hessian: true, out });
  }
}

parentPort!.on("message", (job: Job) => {
  try {
    run(job);
  } catch (error) {
    const text = new TextEncoder().encode(String((error as Error)?.stack ?? error));
    message.set(text.subarray(0, message.length));
    Atomics.store(control, ERROR_LENGTH, Math.max(1, Math.min(text.length, message.length)));
  }
  Atomics.store(control, DONE, job.id);
  Atomics.notify(control, DONE);
});

warmUp();
Atomics.store(control, READY, 1);
Atomics.notify(control, READY);
