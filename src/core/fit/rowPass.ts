/**
 * One pass of a logistic fit over a range of rows: everything Newton's method needs from the
 * data at a given β, computed together so the n×p design is read once per pass.
 *
 * With x̃_i = [1, x_i], η_i = x̃_iᵀβ, μ_i = σ(η_i), over rows i in [start, end):
 *   grad += Σ x̃_i (y_i - μ_i)                 (unpenalised gradient of ℓ)
 *   hess += Σ μ_i(1 - μ_i) x̃_i x̃_iᵀ           (upper triangle only, k×k row-major, k = p + 1)
 *   logLikelihood = Σ y_i log μ_i + (1 - y_i) log(1 - μ_i)
 *   saturated     = #{i : |y_i - μ_i| < SATURATION}   (rows predicted perfectly)
 *
 * `sumRows` adds into grad and hess, so disjoint row ranges can be summed by different callers
 * (src/parallel runs them on other threads) and added up. Pure and synchronous; no allocation
 * per row. Cost O((end - start)·p) without the Hessian, O((end - start)·p²) with it.
 *
 * Example: sumRows({ x: Float64Array.of(1), y: [1], n: 1, p: 1 }, Float64Array.of(0, 0), 0, 1,
 * grad, null) → grad = [0.5, 0.5], { logLikelihood: -log 2, saturated: 0 }.
 */

/** The design a pass reads: row-major n×p x without the intercept column, outcomes y. */
export interface RowData {
  x: Float64Array;
  y: ArrayLike<number>;
  n: number;
  p: number;
}

export interface RowSums {
  logLikelihood: number;
  saturated: number;
}

/**
 * Runs a pass over all n rows: overwrites grad (length p + 1) and, when hess is given, the
 * upper triangle of hess ((p + 1)² row-major; the lower triangle is left for the caller to
 * mirror). Must agree with `allRows` up to the order of summation. Synchronous, so a fit that
 * is given one stays a plain function call.
 */
export type RowAccumulator = (data: RowData, beta: Float64Array, grad: Float64Array, hess: Float64Array | null) => RowSums;

/** A row is "predicted perfectly" when its fitted probability is this close to its outcome. */
export const SATURATION = 1e-10;

/** The single-threaded accumulator: `sumRows` over [0, n) into zeroed buffers. */
export const allRows: RowAccumulator = (data, beta, grad, hess) => {
  grad.fill(0);
  hess?.fill(0);
  return sumRows(data, beta, 0, data.n, grad, hess);
};

/** Rows per Hessian and gradient update: each entry is read and written once per BLOCK rows. */
const BLOCK = 8;
/** Rows handled per stage (η, then μ and the sums): their slice of x stays in cache between stages. */
const CHUNK = 128;

export function sumRows(
  data: RowData,
  beta: Float64Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array | null,
): RowSums {
  const { x, y, p } = data;
  const k = p + 1;
  // η, then the residual y - μ, per row of the chunk; and the weight μ(1 - μ).
  const residual = new Float64Array(CHUNK);
  const weight = new Float64Array(CHUNK);
  let ll = 0;
  let saturated = 0;
  // A pass without the Hessian (the warm start's chord steps, whose ℓ only decides whether a
  // step is kept) takes log Π(1 + e) once per chunk instead of log1p(e) per row: each factor is
  // in (1, 2], so the product of a chunk's stays below 2^128, and ℓ differs by under 1e-13 a
  // chunk, far inside the acceptance test's slack. A pass with the Hessian gives the ℓ a fit
  // reports, so it keeps the per-row log1p (and the shipped models their bits).
  const exact = hess !== null;
  for (let first = start; first < end; first += CHUNK) {
    const count = Math.min(CHUNK, end - first);
    linearPredictors(x, p, beta, first, count, residual);
    let product = 1;
    for (let r = 0; r < count; r++) {
      const eta = residual[r];
      // One exp for μ, 1 - μ and the loss, bit for bit what sigmoid(η), sigmoid(-η) and
      // logLossFromLogit give. 1 - μ comes from σ(-η), not 1 - μ: that rounds to 0 once η > 37,
      // which would zero the gradient of a separated row and make a diverging fit look converged.
      const e = Math.exp(-Math.abs(eta));
      const large = 1 / (1 + e);
      const small = e / (1 + e);
      const mu = eta >= 0 ? large : small;
      const oneMinusMu = eta >= 0 ? small : large;
      let log1pE = 0;
      if (exact) log1pE = Math.log1p(e);
      else product *= 1 + e;
      if (y[first + r] === 1) {
        residual[r] = oneMinusMu;
        ll -= Math.max(-eta, 0) + log1pE;
        if (oneMinusMu < SATURATION) saturated++;
      } else {
        residual[r] = -mu;
        ll -= Math.max(eta, 0) + log1pE;
        if (mu < SATURATION) saturated++;
      }
      weight[r] = mu * oneMinusMu;
    }
    if (!exact) ll -= Math.log(product);
    let r = 0;
    for (; r + BLOCK <= count; r += BLOCK) {
      const base = (first + r) * p;
      addEightToGradient(x, p, base, residual, r, grad);
      if (hess) addEightRows(x, p, k, base, weight, r, hess);
    }
    if (hess && r + 4 <= count) {
      addFourRows(x, p, k, (first + r) * p, weight, r, hess);
      for (const end = r + 4; r < end; r++) {
        const off = (first + r) * p;
        const rr = residual[r];
        grad[0] += rr;
        for (let j = 0; j < p; j++) grad[j + 1] += rr * x[off + j];
      }
    }
    for (; r < count; r++) {
      const off = (first + r) * p;
      const rr = residual[r];
      grad[0] += rr;
      for (let j = 0; j < p; j++) grad[j + 1] += rr * x[off + j];
      if (hess) addOneRow(x, p, k, off, weight[r], hess);
    }
  }
  return { logLikelihood: ll, saturated };
}

/**
 * out[r] = β₀ + Σ_j β_{j+1}·x_{first+r, j}, four rows per sweep so each β_j is loaded once per
 * four rows; every row is still summed in the same order (j = 0, 1, …), so η is the same.
 */
function linearPredictors(x: Float64Array, p: number, beta: Float64Array, first: number, count: number, out: Float64Array): void {
  let r = 0;
  for (; r + 4 <= count; r += 4) {
    const o0 = (first + r) * p, o1 = o0 + p, o2 = o1 + p, o3 = o2 + p;
    let e0 = beta[0], e1 = e0, e2 = e0, e3 = e0;
    for (let j = 0; j < p; j++) {
      const b = beta[j + 1];
      e0 += b * x[o0 + j];
      e1 += b * x[o1 + j];
      e2 += b * x[o2 + j];
      e3 += b * x[o3 + j];
    }
    out[r] = e0;
    out[r + 1] = e1;
    out[r + 2] = e2;
    out[r + 3] = e3;
  }
  for (; r < count; r++) {
    const off = (first + r) * p;
    let eta = beta[0];
    for (let j = 0; j < p; j++) eta += beta[j + 1] * x[off + j];
    out[r] = eta;
  }
}

function addEightToGradient(x: Float64Array, p: number, base: number, residual: Float64Array, at: number, grad: Float64Array): void {
  const o0 = base, o1 = o0 + p, o2 = o1 + p, o3 = o2 + p, o4 = o3 + p, o5 = o4 + p, o6 = o5 + p, o7 = o6 + p;
  const r0 = residual[at], r1 = residual[at + 1], r2 = residual[at + 2], r3 = residual[at + 3];
  const r4 = residual[at + 4], r5 = residual[at + 5], r6 = residual[at + 6], r7 = residual[at + 7];
  // g + r₀x₀ + r₁x₁ + … evaluates left to right: row by row, as a one-row loop would.
  grad[0] = grad[0] + r0 + r1 + r2 + r3 + r4 + r5 + r6 + r7;
  for (let j = 0; j < p; j++) {
    grad[j + 1] =
      grad[j + 1] + r0 * x[o0 + j] + r1 * x[o1 + j] + r2 * x[o2 + j] + r3 * x[o3 + j] +
      r4 * x[o4 + j] + r5 * x[o5 + j] + r6 * x[o6 + j] + r7 * x[o7 + j];
  }
}

function addOneRow(x: Float64Array, p: number, k: number, off: number, w: number, hess: Float64Array): void {
  hess[0] += w;
  for (let a = 0; a < p; a++) {
    const wa = w * x[off + a];
    hess[a + 1] += wa;
    const rowA = (a + 1) * k + 1;
    for (let b = a; b < p; b++) hess[rowA + b] += wa * x[off + b];
  }
}

/**
 * Adds Σ w_r·x̃_r·x̃_rᵀ over eight consecutive rows to the upper triangle, two Hessian rows per
 * sweep. This is the O(n·p²) part of a fit; V8 cannot keep a Hessian entry in a register across
 * rows, so the kernel amortises each entry's load and store over eight rows and each x load over
 * two entries (measured: about 1.4× faster than four rows and one Hessian row at a time).
 *
 * Summation order: each entry gets the sum of rows 0-3, then of rows 4-7, each summed left to
 * right: bit for bit the four-row blocks the fit used before, so models trained on one thread
 * (and the shipped models, which test/integration/shippedModels.test.ts retrains) do not change.
 */
function addEightRows(x: Float64Array, p: number, k: number, base: number, w: Float64Array, at: number, hess: Float64Array): void {
  const o0 = base, o1 = o0 + p, o2 = o1 + p, o3 = o2 + p, o4 = o3 + p, o5 = o4 + p, o6 = o5 + p, o7 = o6 + p;
  const w0 = w[at], w1 = w[at + 1], w2 = w[at + 2], w3 = w[at + 3], w4 = w[at + 4], w5 = w[at + 5], w6 = w[at + 6], w7 = w[at + 7];
  hess[0] = hess[0] + (w0 + w1 + w2 + w3) + (w4 + w5 + w6 + w7);
  let a = 0;
  for (; a + 1 < p; a += 2) {
    const a0 = w0 * x[o0 + a], a1 = w1 * x[o1 + a], a2 = w2 * x[o2 + a], a3 = w3 * x[o3 + a];
    const a4 = w4 * x[o4 + a], a5 = w5 * x[o5 + a], a6 = w6 * x[o6 + a], a7 = w7 * x[o7 + a];
    const c0 = w0 * x[o0 + a + 1], c1 = w1 * x[o1 + a + 1], c2 = w2 * x[o2 + a + 1], c3 = w3 * x[o3 + a + 1];
    const c4 = w4 * x[o4 + a + 1], c5 = w5 * x[o5 + a + 1], c6 = w6 * x[o6 + a + 1], c7 = w7 * x[o7 + a + 1];
    hess[a + 1] = hess[a + 1] + (a0 + a1 + a2 + a3) + (a4 + a5 + a6 + a7);
    hess[a + 2] = hess[a + 2] + (c0 + c1 + c2 + c3) + (c4 + c5 + c6 + c7);
    const rowA = (a + 1) * k + 1;
    const rowC = rowA + k;
    const diagonal = rowA + a;
    hess[diagonal] =
      hess[diagonal] + (a0 * x[o0 + a] + a1 * x[o1 + a] + a2 * x[o2 + a] + a3 * x[o3 + a]) +
      (a4 * x[o4 + a] + a5 * x[o5 + a] + a6 * x[o6 + a] + a7 * x[o7 + a]);
    for (let b = a + 1; b < p; b++) {
      const v0 = x[o0 + b], v1 = x[o1 + b], v2 = x[o2 + b], v3 = x[o3 + b];
      const v4 = x[o4 + b], v5 = x[o5 + b], v6 = x[o6 + b], v7 = x[o7 + b];
      hess[rowA + b] = hess[rowA + b] + (a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3) + (a4 * v4 + a5 * v5 + a6 * v6 + a7 * v7);
      hess[rowC + b] = hess[rowC + b] + (c0 * v0 + c1 * v1 + c2 * v2 + c3 * v3) + (c4 * v4 + c5 * v5 + c6 * v6 + c7 * v7);
    }
  }
  if (a < p) {
    const a0 = w0 * x[o0 + a], a1 = w1 * x[o1 + a], a2 = w2 * x[o2 + a], a3 = w3 * x[o3 + a];
    const a4 = w4 * x[o4 + a], a5 = w5 * x[o5 + a], a6 = w6 * x[o6 + a], a7 = w7 * x[o7 + a];
    hess[a + 1] = hess[a + 1] + (a0 + a1 + a2 + a3) + (a4 + a5 + a6 + a7);
    const diagonal = (a + 1) * k + 1 + a;
    hess[diagonal] =
      hess[diagonal] + (a0 * x[o0 + a] + a1 * x[o1 + a] + a2 * x[o2 + a] + a3 * x[o3 + a]) +
      (a4 * x[o4 + a] + a5 * x[o5 + a] + a6 * x[o6 + a] + a7 * x[o7 + a]);
  }
}

/** The same sums over four rows (the tail of a pass), one Hessian row per sweep. */
function addFourRows(x: Float64Array, p: number, k: number, base: number, w: Float64Array, at: number, hess: Float64Array): void {
  const o0 = base, o1 = o0 + p, o2 = o1 + p, o3 = o2 + p;
  const w0 = w[at], w1 = w[at + 1], w2 = w[at + 2], w3 = w[at + 3];
  hess[0] += w0 + w1 + w2 + w3;
  for (let a = 0; a < p; a++) {
    const a0 = w0 * x[o0 + a], a1 = w1 * x[o1 + a], a2 = w2 * x[o2 + a], a3 = w3 * x[o3 + a];
    hess[a + 1] += a0 + a1 + a2 + a3;
    const rowA = (a + 1) * k + 1;
    for (let b = a; b < p; b++) hess[rowA + b] += a0 * x[o0 + b] + a1 * x[o1 + b] + a2 * x[o2 + b] + a3 * x[o3 + b];
  }
}

/** Copies the upper triangle onto the lower one, exactly: ml-matrix's Cholesky rejects a matrix that is not bitwise symmetric. */
export function mirrorUpper(hess: Float64Array, k: number): void {
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) hess[b * k + a] = hess[a * k + b];
  }
}
