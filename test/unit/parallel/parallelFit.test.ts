import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fitLogistic } from "../../../src/core/fit/logisticFit.ts";
import { allRows } from "../../../src/core/fit/rowPass.ts";
import { WARM_START_ROWS } from "../../../src/core/fit/warmStart.ts";
import { RowPool } from "../../../src/parallel/rowPool.ts";

/** A random design on shared memory (so the pool's workers can read it), with a logistic truth. */
function sharedDesign(n: number, p: number, seed: number, shared = true) {
  const x = new Float64Array(shared ? new SharedArrayBuffer(8 * n * p) : new ArrayBuffer(8 * n * p));
  const y = new Uint8Array(shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    let eta = -0.7;
    for (let j = 0; j < p; j++) {
      const v = r() * 2 - 1;
      x[i * p + j] = v;
      eta += (j - p / 2) * 0.3 * v;
    }
    y[i] = r() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  return { x, y, n, p };
}

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let j = 0; j < b.length; j++) scale = Math.max(scale, Math.abs(b[j]));
  let m = 0;
  for (let j = 0; j < b.length; j++) m = Math.max(m, Math.abs(a[j] - b[j]) / scale);
  return m;
}

describe("RowPool: a fit's row passes on two threads", () => {
  let pool: RowPool;
  beforeAll(() => {
    pool = RowPool.open({ threads: 2, minRows: 1000 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it("gives the single-threaded gradient, Hessian and log-likelihood to 1e-12", () => {
    const data = sharedDesign(30_001, 11, 5);
    const k = data.p + 1;
    const beta = Float64Array.from({ length: k }, (_, j) => 0.1 * (j - 5));
    const one = { grad: new Float64Array(k), hess: new Float64Array(k * k) };
    const two = { grad: new Float64Array(k), hess: new Float64Array(k * k) };
    const single = allRows(data, beta, one.grad, one.hess);
    const parallel = pool.accumulator(data, beta, two.grad, two.hess);
    expect(pool.threads).toBe(2);
    expect(maxRelativeDifference(two.grad, one.grad)).toBeLessThan(1e-12);
    const upper = (h: Float64Array) => Array.from({ length: k * k }, (_, i) => (i % k >= Math.floor(i / k) ? h[i] : 0));
    expect(maxRelativeDifference(upper(two.hess), upper(one.hess))).toBeLessThan(1e-12);
    expect(Math.abs(parallel.logLikelihood - single.logLikelihood)).toBeLessThan(1e-12 * Math.abs(single.logLikelihood));
    expect(parallel.saturated).toBe(single.saturated);
    // The Hessian really is a sum over all rows: its (0,0) entry is Σ μ(1-μ) ≤ n/4, and well above 0.
    expect(two.hess[0]).toBeGreaterThan(data.n / 10);
    // And a gradient-only pass over the same rows gives the same gradient.
    const gradOnly = new Float64Array(k);
    pool.accumulator(data, beta, gradOnly, null);
    expect(maxRelativeDifference(gradOnly, two.grad)).toBe(0);
  });

  it("runs arrays that are not shared on the calling thread, bit for bit as allRows", () => {
    const data = sharedDesign(5000, 4, 9, false);
    const beta = Float64Array.of(0.2, -0.1, 0.3, 0, 0.5);
    const a = new Float64Array(5);
    const b = new Float64Array(5);
    const single = allRows(data, beta, a, null);
    const viaPool = pool.accumulator(data, beta, b, null);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(viaPool.logLikelihood).toBe(single.logLikelihood);
  });

  it("a large fit through the pool reaches plain Newton's optimum and standard errors", () => {
    const data = { ...sharedDesign(WARM_START_ROWS + 10_000, 8, 17), l2: 1 };
    const fast = fitLogistic({ ...data, accumulator: pool.accumulator });
    const plain = fitLogistic({ ...data, warmStart: false });
    expect(fast.converged).toBe(true);
    expect(maxRelativeDifference(fast.coef, plain.coef)).toBeLessThan(1e-9);
    expect(maxRelativeDifference(fast.stdErr, plain.stdErr)).toBeLessThan(1e-9);
    expect(Math.abs(fast.logLikelihood - plain.logLikelihood)).toBeLessThan(1e-9 * Math.abs(plain.logLikelihood));
    // Plain Newton through the pool is plain Newton: same iterations, same optimum.
    const plainParallel = fitLogistic({ ...data, warmStart: false, accumulator: pool.accumulator });
    expect(plainParallel.iterations).toBe(plain.iterations);
    expect(maxRelativeDifference(plainParallel.coef, plain.coef)).toBeLessThan(1e-12);
  });
});

describe("RowPool with one thread", () => {
  it("has no workers and sums on the calling thread", async () => {
    const pool = RowPool.open({ threads: 1 });
    const data = sharedDesign(2000, 3, 1);
    const a = new Float64Array(4);
    const b = new Float64Array(4);
    allRows(data, Float64Array.of(0, 1, 1, 1), a, null);
    pool.accumulator(data, Float64Array.of(0, 1, 1, 1), b, null);
    expect(Array.from(b)).toEqual(Array.from(a));
    await pool.close();
  });
});
