import { fitLogistic } from "../src/core/index.ts";
import { RowPool } from "../src/parallel/rowPool.ts";

/**
 * One logistic fit on a 1,000,000 × 25 design (random features, a known logistic truth, ridge
 * α = 1): the figure issue 6 tracks as `fit_1m_x25_s`, against scikit-learn's lbfgs ≈ 0.6 s.
 *
 * The fit uses every core through a RowPool, as scikit-learn's BLAS would: x and y live on a
 * SharedArrayBuffer so the workers read them in place. The pool is opened before the clock
 * starts (starting workers and compiling their TypeScript is a per-process cost, not the
 * fit's) and the timed call stays synchronous, as bench.ts expects.
 */
export function benchLargeFit(n = 1_000_000, p = 25) {
  const x = new Float64Array(new SharedArrayBuffer(8 * n * p));
  const y = new Uint8Array(new SharedArrayBuffer(n));
  let s = 12345;
  const random = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    let eta = -0.5;
    for (let j = 0; j < p; j++) {
      const v = random() * 2 - 1;
      x[i * p + j] = v;
      eta += ((j % 5) - 2) * 0.3 * v;
    }
    y[i] = random() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  const pool = RowPool.open();
  try {
    const started = performance.now();
    const fit = fitLogistic({ x, y, n, p, l2: 1, accumulator: pool.accumulator });
    return { fit_1m_x25_s: (performance.now() - started) / 1000, rows: n, columns: p, iterations: fit.iterations, threads: pool.threads };
  } finally {
    void pool.close();
  }
}
